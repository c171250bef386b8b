"""The works a report's assumptions cite: each assumption's source text -> the published works it rests on.

The shipped data describe each number's source in full ("AWS EC2 P5 instance page (p5.48xlarge: 8x H100 …),
as recalled 2026-11"), so twenty instance types give twenty different texts for one documentation set. A report
lists each *work* once (the AWS instance pages, Epoch AI's hardware data, Strubell et al. 2019) and keeps the
detail beside the assumption it belongs to. ``WORKS`` names the works the shipped data cite often, each with a
pattern that finds it in a source text; a text that names none of them is a work of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Work:
    """A published work (or documentation set) and the pattern that finds it in a source text.

    pattern : searched (case-sensitive) anywhere in the source text
    citation : how the report's list of sources prints it
    """

    pattern: str
    citation: str

    def cited_in(self, text: str) -> str | None:
        """The citation if the work is named in ``text``, else None."""
        return self.citation if re.search(self.pattern, text) else None


#: trainplan's own reasoning, where no published figure exists (the reasoning stays beside the assumption).
OWN_JUDGEMENT = "trainplan's own judgement where no published figure was found (reasoning given with each input)"
#: Inputs derived from other inputs of the report (the formulas are in the method).
DERIVED = "Derived from the other inputs listed here (formulas in the method)"
USER_INPUT = "Your own inputs to this report"

WORKS: tuple[Work, ...] = (
    Work(r"Epoch AI|Epoch ML hardware", "Epoch AI, 'Data on Machine Learning Hardware' (CC BY 4.0), snapshot of "
         "2025-11-15"),
    Work(r"mlco2/impact|ML CO2 Impact|Lacoste et al\. 2019", "Lacoste et al. 2019, Quantifying the Carbon Emissions of "
         "Machine Learning, and its ML CO2 Impact calculator data (github.com/mlco2/impact, MIT)"),
    Work(r"Llama model cards", "Meta, Llama model cards (training power = TDP per GPU)"),
    Work(r"cloud-carbon-footprint|Cloud Carbon Footprint|CCF/Teads", "Cloud Carbon Footprint methodology and "
         "coefficients (github.com/cloud-carbon-footprint, Apache-2.0), with Teads' hardware LCA figures"),
    *(Work(rf"skypilot-catalog@\w+ catalogs/v\d+/{provider}/", f"SkyPilot catalog of public {name} list prices "
           "(github.com/skypilot-org/skypilot-catalog)")
      for provider, name in (("aws", "AWS"), ("gcp", "Google Cloud"), ("azure", "Azure"))),
    Work(r"Cyclenerd/google-cloud-pricing-cost-calculator", "Google Cloud Billing SKU list prices, as compiled by "
         "github.com/Cyclenerd/google-cloud-pricing-cost-calculator"),
    Work(r"eGRID2023", "US EPA, eGRID2023 state annual CO2e output emission rates (as shipped in CodeCarbon 3.3.2)"),
    Work(r"GoogleCloudPlatform/region-carbon-info", "Google Cloud, region carbon data 2024 "
         "(github.com/GoogleCloudPlatform/region-carbon-info)"),
    Work(r"Ember Yearly Electricity Data|ember-climate", "Ember, Yearly Electricity Data (CC BY 4.0)"),
    Work(r"Luccioni", "Luccioni, Viguier, Ligozat 2022, Estimating the Carbon Footprint of BLOOM, a 176B Parameter "
         "Language Model (arXiv:2211.02001)"),
    Work(r"Strubell", "Strubell, Ganesh, McCallum 2019, Energy and Policy Considerations for Deep Learning in NLP "
         "(ACL 2019; arXiv:1906.02243)"),
    Work(r"AWS EC2 \w+ instance page|an AWS p4d", "AWS, EC2 accelerated computing instance type pages (read 2026-11)"),
    Work(r"Google Cloud (?:A\d|G\d|N1|TPU)\b|Shape of a GCP", "Google Cloud, GPU machine types, N1 network bandwidth and TPU system "
         "architecture documentation (read 2026-11)"),
    Work(r"Azure [\w ]+ sizes page", "Microsoft Azure, GPU virtual machine sizes documentation (read 2026-11)"),
    Work(r"NVIDIA DGX[-\w ]* (?:datasheet|User Guide)", "NVIDIA, DGX system datasheets and user guides"),
    Work(r"NVIDIA (?:Tesla )?[A-Z]\d+[\w/ ]* (?:Tensor Core GPU )?datasheet", "NVIDIA, data-centre GPU datasheets "
         "(read 2026-12)"),
    Work(r"Touvron et al\. 2023", "Touvron et al. 2023, Llama 2: Open Foundation and Fine-Tuned Chat Models "
         "(arXiv:2307.09288)"),
    Work(r"Llama Team 2024", "Llama Team 2024, The Llama 3 Herd of Models (arXiv:2407.21783)"),
    Work(r"NVIDIA Megatron-LM", "NVIDIA Megatron-LM performance benchmarks (github.com/NVIDIA/Megatron-LM)"),
    Work(r"mosaicml/llm-foundry", "MosaicML LLM Foundry, MPT training benchmarks (github.com/mosaicml/llm-foundry)"),
    Work(r"Green-Software-Foundation/real-time-cloud", "Green Software Foundation, real-time-cloud data set "
         "(compiled from the providers' sustainability fact sheets)"),
    Work(r"Shehabi et al", "Shehabi et al. 2016, United States Data Center Energy Usage Report (LBNL-1005775)"),
    Work(r"AWS Spot Instance Advisor", "AWS Spot Instance Advisor interruption bands (as vendored in "
         "github.com/alexei-led/spotinfo)"),
    Work(r"Google 2024 Environmental Report", "Google, 2024 Environmental Report"),
    Work(r"\bEIA\b", "US EIA, Electric Power Annual and Electric Power Monthly"),
    Work(r"Rajbhandari et al\. 2020", "Rajbhandari et al. 2020, ZeRO: Memory Optimizations Toward Training Trillion "
         "Parameter Models (SC20)"),
    Work(r"Korthikanti et al\. 2022", "Korthikanti et al. 2022, Reducing Activation Recomputation in Large Transformer "
         "Models (arXiv:2205.05198)"),
    Work(r"Lambda Hyperplane-16 InfiniBand cluster TCO post|lambdalabs\.com/blog/hyperplane", "Lambda, Hyperplane-16 "
         "InfiniBand cluster total cost of ownership (lambdalabs.com blog)"),
    Work(r"\bDwan\b", "C. Dwan, post to the Bioclusters mailing list, 2006-02-02"),
    Work(r"trainplan (?:judgement|rule|convention|assumption)|trainplan's choice|^No sourced", OWN_JUDGEMENT),
    Work(r"^(?:estimate:|modelled:|facility '\w+': |same GPU as the workload)", DERIVED),
    Work(r"^(?:user input|workload)\b", USER_INPUT),
)


def cited_works(source: str, works: tuple[Work, ...] = WORKS) -> tuple[str, ...]:
    """The citations of the works a source text names, in ``works`` order; the text itself when it names none."""
    text = str(source).strip()
    found = tuple(dict.fromkeys(c for c in (w.cited_in(text) for w in works) if c is not None))
    return found or (text,)
