"""Every default constant trainplan uses when the user gives none, each with its source and date.

Data-backed figures (GPU TDPs, grid intensities, prices, PUE surveys) live in the shipped database
with a source on every row; this module holds the choices made on top of that data: which row is the
default, and the few modelling constants that are not a table row. Each is an ``Assumption`` so a
result can list exactly which inputs made it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Assumption:
    """One input of a result: what it is, its value and unit, where it comes from and as of when."""

    name: str
    value: float | str
    unit: str
    source: str
    as_of: str
    note: str = ""

    def with_value(self, value: float | str, source: str | None = None, note: str | None = None) -> Assumption:
        """The same assumption with a user-supplied value (the source then says so)."""
        return Assumption(self.name, value, self.unit, source or "user input", self.as_of if source else "",
                          self.note if note is None else note)


_CCF = "cloud-carbon-footprint/cloud-carbon-footprint@b7a049c7d2 (Apache-2.0), via shared/data/carbon/ccf_coefficients.csv"

#: PUE of each cloud provider's fleet, and of an owned server room.
PUE = {
    "aws": Assumption("pue_aws", 1.15, "ratio", "AWS sustainability page: 'In 2024, AWS data centers reported a global PUE of 1.15'",
                      "2024"),
    "gcp": Assumption("pue_gcp", 1.10, "ratio", "Google 2024 Environmental Report: 2023 fleet average annual PUE 1.10", "2023"),
    "azure": Assumption("pue_azure", 1.185, "ratio",
                        "Microsoft fleet weighted trailing-12-month PUE, as quoted by Cloud Carbon Footprint", "2021"),
    "owned": Assumption("pue_owned", 1.58, "ratio",
                        "Uptime Institute 2023 global survey average (Uptime Intelligence Update 221, 2023-11-23); "
                        "no university server-room PUE was found", "2023",
                        "On-premises rooms are often worse: IDC estimates 1.63 for enterprise on-premises (2024)."),
}

#: Average GPU power as a fraction of board TDP when no measurement is given.
GPU_POWER_FRACTION_OF_TDP = Assumption(
    "gpu_power_fraction_of_tdp", 1.0, "fraction",
    "Convention of Meta's Llama model cards (power = TDP/peak capacity per GPU) and the ML CO2 Impact calculator "
    "(Lacoste et al. 2019); a conservative upper estimate of average draw", "2023",
    "Strubell et al. 2019 measured 177-188 W per 250 W P100 including host: measure with `trainplan measure` to replace it.",
)

#: Host (CPU + DRAM) power per GPU when neither a measurement nor an instance shape is given.
HOST_W_PER_VCPU = Assumption(
    "host_w_per_vcpu", 0.74 + 0.5 * (3.5 - 0.74), "W/vCPU",
    f"{_CCF}: AWS min 0.74 and max 3.5 W per vCPU at CCF's 50% average utilisation (min + 0.5 x (max - min))", "2024",
)
HOST_W_PER_GIB = Assumption("host_w_per_gib", 0.392, "W/GiB", f"{_CCF}: memory coefficient 0.000392 kWh per GB-hour",
                            "2024")
HOST_VCPUS_PER_GPU = Assumption(
    "host_vcpus_per_gpu", 12.0, "vCPU/GPU",
    "Shape of a GCP a2-highgpu-1g (12 vCPU, 85 GiB per A100) and an AWS p4d.24xlarge (96 vCPU per 8 GPUs)", "2025",
)
HOST_GIB_PER_GPU = Assumption("host_gib_per_gpu", 85.0, "GiB/GPU", "Shape of a GCP a2-highgpu-1g (85 GiB per A100)",
                              "2025")

#: Grid used by `trainplan estimate` when the user names none.
DEFAULT_GRID_ZONE = Assumption("grid_zone", "USA", "zone",
                               "Our World in Data / Ember US generation intensity, via codecarbon 3.3.2", "2023")

#: Electricity price for owned hardware when the user names none: latest US commercial national average.
DEFAULT_ELECTRICITY_ZONE = Assumption("electricity_zone", "US", "zone",
                                      "EIA revenue / sales, US commercial sector (shared/data/hardware)", "2022")

#: Precision a workload's FLOPs run at, when the user names none.
DEFAULT_PRECISION = Assumption("precision", "bf16", "", "Mixed-precision (bf16/fp16 tensor-core) training is the norm "
                               "for transformer training since 2020 (e.g. Llama 3 paper, Table 4: BF16 MFU)", "2024")


def host_power_w(vcpus: float, memory_gib: float) -> float:
    """Average CPU + DRAM power of a host [W] from its shape.

    ``P = vCPUs · W_per_vCPU + GiB · W_per_GiB``  (Cloud Carbon Footprint method, 50% CPU utilisation)
    """
    return vcpus * float(HOST_W_PER_VCPU.value) + memory_gib * float(HOST_W_PER_GIB.value)


def default_host_power_per_gpu_w() -> float:
    """Host power attributed to one GPU when no instance shape is known [W] (about 58.8 W)."""
    return host_power_w(float(HOST_VCPUS_PER_GPU.value), float(HOST_GIB_PER_GPU.value))


def host_assumptions() -> tuple[Assumption, ...]:
    """The assumptions behind ``default_host_power_per_gpu_w``."""
    return (HOST_W_PER_VCPU, HOST_W_PER_GIB, HOST_VCPUS_PER_GPU, HOST_GIB_PER_GPU)


# --- Owned hardware -----------------------------------------------------------------------------------
_OWN = "shared/data/hardware/ownership_defaults.csv"

#: Ranges of uncertain ownership inputs: (low, central, high). Each has a source; "low"/"high" are the
#: input's own range, not the direction of the result.
OWNED_LIFETIME_YEARS = Assumption(
    "owned_lifetime_years", 5.0, "years",
    "University depreciation lives for servers/computers: RIT 5, Dartmouth (>$25k) 5, Hamilton 5; Amazon 5 "
    f"({_OWN})", "2023", "range 3 (Dartmouth servers < $25k) to 6 (Microsoft, Alphabet)")
OWNED_LIFETIME_RANGE = (3.0, 5.0, 6.0)

OWNED_UTILISATION = Assumption(
    "owned_utilisation", 0.6, "fraction",
    "Microsoft Philly trace (Jeon et al. ATC 2019, via affinode.io): 25-50% of reserved GPU time idle, i.e. "
    f"50-75% busy; central 60% ({_OWN})", "2019",
    "No published academic-cluster GPU utilisation was found; set your own cluster's figure.")
OWNED_UTILISATION_RANGE = (0.5, 0.6, 0.75)

MAINTENANCE_PCT_PER_YEAR = Assumption(
    "maintenance_pct_per_year", 11.0, "% of purchase price per year",
    f"Library Technology Guides doc 7428: 10-12% (midpoint 11); TechTarget: 10-30% ({_OWN})", "2013",
    "Generic hardware, not GPU-specific; DGX support quoted at 20%.")
MAINTENANCE_PCT_RANGE = (10.0, 11.0, 20.0)

STAFF_USD_PER_SERVER_YEAR = Assumption(
    "staff_usd_per_server_year", 0.0, "USD/server-year",
    "A flat per-server staff figure on top of the staff per cluster (staff_fte_*): 0, since staff is counted as "
    f"FTE per cluster; Lambda's Hyperplane-16 TCO analysis uses $10k per year per 4 servers ({_OWN})", "2020")

HOSTING_USD_PER_KW_MONTH = Assumption(
    "hosting_usd_per_kw_month", 0.0, "USD/kW-month",
    "In-house server room: space and cooling are covered by the PUE and the electricity price. For colocation, "
    f"$196/kW-month (encoradvisors, North America, H2 2025) or $134.55 (Lambda TCO) ({_OWN})", "2025")

RESALE_FRACTION = Assumption("resale_fraction", 0.0, "fraction of purchase price",
                             "No sourced resale value of used GPU servers; 0 is the conservative default", "")

OVERHEAD_PCT_OF_CAPEX = Assumption(
    "overhead_pct_of_capex", 0.0, "% of server capex",
    "Network, storage and racks: no sourced share for GPU clusters; 0 by default. The Duke TCO exercise "
    f"(Beowulf list, 2010) put facility support at 30-50% of hardware cost ({_OWN})", "2010")

ELECTRICITY_USD_PER_KWH = Assumption(
    "electricity_usd_per_kwh", 0.1241, "USD/kWh",
    "US commercial average 2022: EIA revenue / sales (shared/data/hardware/electricity_prices.csv)", "2022")

#: Embodied emissions of a GPU server: base server without GPUs + per GPU (Luccioni et al. 2022, BLOOM).
EMBODIED_SERVER_KG = Assumption(
    "embodied_server_kg", 2500.0, "kg CO2e/server",
    "Luccioni, Viguier, Ligozat (2022) BLOOM, Sec. 4.1: ~2,500 kg per HPE server excluding GPUs", "2022")
EMBODIED_GPU_KG = Assumption(
    "embodied_gpu_kg", 150.0, "kg CO2e/GPU",
    "Luccioni et al. (2022) BLOOM, Sec. 4.1 and CCF/Teads coefficients: 150 kg per GPU (a lower bound)", "2022")

#: Host embodied CO2e that grows with its memory, where the memory is sourced (Cloud Carbon Footprint / Teads).
EMBODIED_HOST_BASE_KG = Assumption(
    "embodied_host_base_kg", 1100.0, "kg CO2e/host",
    f"{_CCF.split(',')[0]}: rack server base 1,000 kg (mono socket, low DRAM; shared/data/carbon/embodied.csv) + "
    "100 kg for the second CPU of a dual-socket GPU host", "2021",
    "used with embodied_dram_kg_per_gb where the host's memory is known; else embodied_server_kg (BLOOM's 2,500 kg)")
EMBODIED_DRAM_KG_PER_GB = Assumption(
    "embodied_dram_kg_per_gb", 533.0 / 384.0, "kg CO2e/GB",
    "Cloud Carbon Footprint / Teads: DRAM 533 kg per 384 GB (Dell PowerEdge R740 LCA; shared/data/carbon/embodied.csv)",
    "2021")

#: Cloud hardware lifetime and utilisation for amortising embodied emissions of rented GPUs.
CLOUD_LIFETIME_YEARS = Assumption(
    "cloud_lifetime_years", 6.0, "years",
    f"Server depreciation lives in 10-K/10-Q filings: Microsoft 6, Alphabet 6, Amazon 5 ({_OWN})", "2023")
CLOUD_UTILISATION = Assumption(
    "cloud_utilisation", 0.5, "fraction",
    "Cloud Carbon Footprint's average hyperscale server utilisation, 50% (ccf_coefficients.csv)", "2024")

# --- The full cost of owning (planner/owned_cost.py; issue 14) ------------------------------------------
_LATIF = ("Latif, Newkirk, Carbone et al., 'Single-Node Power Demand During AI Training: Measurements on an 8-GPU "
          "NVIDIA H100 System', IEEE Access 13 (2025) 61740-61747: maximum observed 8.4 kW of the rated 10.2 kW")
_NEWKIRK = ("Newkirk, Fernandez, Koomey, Latif, Strubell, Shehabi, Samaras, 'Empirically-Calibrated H100 Node Power "
            "Models...', arXiv:2506.14551 (2025): compute-intensive training runs at 76% of the 10.2 kW rating")

#: Sourced average wall power of a server while training (low, central, high) [W], where one exists.
#: Servers not listed are modelled from their shape: n · TDP · f + host (the cloud rows' host model).
SERVER_TYPICAL_W = {
    "nvidia-dgx-h100": (6500.0, 0.76 * 10200.0, 8400.0),
}
SERVER_TYPICAL_W_SOURCE = {
    "nvidia-dgx-h100": (f"{_NEWKIRK} (central 0.76 x 10,200 = 7,752 W); high {_LATIF}; low: 'typical power "
                        "consumption between 6.5 and 8.5 kW' (supercluster.blog, DGX H100 power and cooling, via "
                        "shared/data/hardware/servers.csv notes)"),
}

#: Wall power of an idle server as a fraction of its busy power.
IDLE_POWER_FRACTION = Assumption(
    "idle_power_fraction", 0.2, "fraction of busy power",
    "Derived for an 8-GPU server: GPU boards idle at 64 W of a 700 W limit (9%; NVIDIA DGX B200 User Guide ch. 7, "
    "Redfish EnvironmentMetrics example reading 64.388 W at SetPoint 700 W) and carry ~75% of busy draw (5.6 of "
    "7.75 kW, Newkirk et al. 2025); the host idles at about half its peak (Barroso & Hoelzle, 'The Case for "
    "Energy-Proportional Computing', IEEE Computer 40(12), 2007): 0.75 x 0.09 + 0.25 x 0.5 = 0.19", "2025",
    "range 0.1 (GPUs alone) to 0.5 (Barroso & Hoelzle's whole-server figure); idle hours are charged in cost and CO2e")
IDLE_POWER_FRACTION_RANGE = (0.1, 0.2, 0.5)

#: Network, storage and fabric as a share of the servers' capex.
NETWORK_STORAGE_PCT_OF_CAPEX = Assumption(
    "network_storage_pct_of_capex", 10.0, "% of server capex",
    "Datacentre operators traditionally kept networking near 10% of the infrastructure budget (jobandnetwork.com, "
    "'Unmasking the Hidden Costs of Networking in the Age of AI', 2025); AI fabrics run 20-30% of GPU cost "
    "(R. Gipe, 'The AI Infrastructure Build: the networking layer', 2026-02); one 64-port 400G InfiniBand switch "
    "is $36k (H100 cluster cost sheet, Aug 2024, in shared/data/hardware/servers.csv notes)", "2025",
    "range 10-25%; storage is inside this share")
NETWORK_STORAGE_PCT_RANGE = (5.0, 10.0, 25.0)

#: Space, power and cooling capital.
FACILITY_MODES = ("in_house", "colocation")
FACILITY_CAPEX_USD_PER_KW = Assumption(
    "facility_capex_usd_per_kw", 11000.0, "USD per kW of IT load",
    "Data-centre construction $10-12M per MW of critical load (ibinterviewquestions.com, 'Data Center Capex: Build "
    "Costs and Time-to-Power', 2026; cortexconstruct.com 2026-02-20: $7-15M per MW); midpoint", "2026")
FACILITY_LIFE_YEARS = Assumption(
    "facility_life_years", 20.0, "years",
    "trainplan judgement: the life of a room's electrical and mechanical plant (UPS, chillers) over which its "
    "capital is recovered; buildings last longer, UPS batteries less", "2026",
    "the capital is recovered at the plan's discount rate: $/kW-year = capex/kW x CRF(r, life)")
COLOCATION_USD_PER_KW_MONTH = Assumption(
    "colocation_usd_per_kw_month", 196.0, "USD per kW per month",
    f"250-500 kW deployments in primary North American markets, H2 2025 (encoradvisors.com, via {_OWN})", "2025",
    "Lambda's TCO example: $134.55; TeleGeography 2017 median: $275")

#: Staff as FTE per cluster, with a loaded salary.
STAFF_FTE_BASE = Assumption(
    "staff_fte_base", 0.5, "FTE per cluster",
    "'one half time IT person for the first fifty nodes or so ... an entire full time person for 50 - 150' "
    "(C. Dwan, Bioclusters list, 2006-02-02; bioinformatics.org/pipermail/bioclusters/2006-February/002847.html)",
    "2006")
STAFF_FTE_PER_SERVER = Assumption(
    "staff_fte_per_server", 0.005, "FTE per server beyond the first 50",
    "Dwan 2006 (as staff_fte_base): the second half FTE over the next ~100 nodes; Roskies & Zacharia, CTWatch "
    "Quarterly 2(2), May 2006: 'one FTE for roughly every 250 processors'", "2006")
STAFF_FREE_SERVERS = 50.0
SHARED_CLUSTER_SERVERS = Assumption(
    "shared_cluster_servers", 10.0, "servers",
    "trainplan's choice: the size of the shared cluster whose staff a shared-mode row shares (a department "
    "cluster of ten 8-GPU servers); give yours (procurement plans use their own fleet)", "2026")
STAFF_USD_PER_FTE_YEAR = Assumption(
    "staff_usd_per_fte_year", 100000.0, "USD per FTE-year (loaded)",
    f"'Loaded salary for a decent cluster admin may be $100k/year or more' (Duke University cluster TCO, Beowulf "
    f"list 2010-06; {_OWN})", "2010", "old and US; give your own loaded salary")

#: Money over time.
DISCOUNT_RATE = Assumption(
    "discount_rate", 0.07, "per year (real)",
    "OMB Circular A-94 (1992) sec. 8.b: 'a real discount rate of 7 percent' for constant-dollar analyses, "
    "reinstated by OMB memo M-25-23 (2025-02); EPA OSWER Directive 9355.3-20 restates 7%", "2025",
    "0 gives the cash basis; A-94 also allows Treasury rates (Appendix C) for lease-purchase analysis")
DISCOUNT_RATE_RANGE = (0.0, 0.07, 0.10)  # 0: cash; 10%: A-94 (1972), per EPA OSWER 9355.3-20
CLOUD_PRICE_TREND_PCT_PER_YEAR = Assumption(
    "cloud_price_trend_pct_per_year", 0.0, "% per year",
    "trainplan's choice: no forecast, today's list prices held (prices do move: AWS cut P4d/P4de/P5/P5en on-demand "
    "prices by up to 45% on 2025-06-05, AWS What's New)", "2025",
    "range -25%/year (a 45% cut two years after P5's 2023 launch: 1 - 0.55^(1/2)) to 0")
CLOUD_PRICE_TREND_RANGE = (-25.0, 0.0, 0.0)
HARDWARE_PRICE_PERFORMANCE_PCT_PER_YEAR = Assumption(
    "hardware_price_performance_pct_per_year", 0.0, "% cheaper per year of purchase",
    "trainplan's choice: servers bought later cost what year 1's cost (no forecast); set e.g. 24 for GPU "
    "FLOP/s per dollar doubling every ~2.5 years (Epoch AI, 'Trends in GPU price-performance', 2022)", "2022")

#: US grants: F&A (indirect costs) on modified total direct costs; equipment is excluded (2 CFR 200.1 MTDC).
FA_RATE = Assumption(
    "fa_rate", 0.0, "fraction of MTDC",
    "2 CFR 200.1 'Modified Total Direct Cost (MTDC)': excludes equipment and capital expenditures; cloud services "
    "and maintenance contracts are MTDC items. 0 = not applied; set your institution's negotiated rate "
    "(often 0.5-0.6)", "2024")

#: Queue: peak month's load over the annual average (seasonality), and job-length variability.
PEAK_MONTH_FACTOR = Assumption(
    "peak_month_factor", 1.0, "x annual average load",
    "trainplan's choice: no seasonality unless given (academic demand peaks before conference deadlines; set the "
    "peak month's share x 12 from your own accounting)", "2026")
JOB_LENGTH_CV = Assumption(
    "job_length_cv", 1.0, "coefficient of variation",
    "1 = exponential job lengths (M/M/c); the Allen-Cunneen approximation scales the wait by (1 + cv^2)/2 "
    "(Allen 1990, Probability, Statistics and Queueing Theory, 2nd ed., sec. 6)", "1990",
    "GPU job lengths are heavy-tailed (Philly trace, Jeon et al. 2019): cv of 2-4 is plausible; give yours")

# --- Procurement planning ------------------------------------------------------------------------------
_SPOT = "shared/data/prices/spot_interruption.csv"

#: Years a procurement plan covers when the user names none.
PROCUREMENT_HORIZON_YEARS = Assumption(
    "horizon_years", 5, "years",
    "Lambda Hyperplane-16 TCO analysis amortises over 5 years; university server depreciation lives are 5 years "
    f"(RIT, Dartmouth > $25k, Hamilton) ({_OWN})", "2023")

#: Ranges for the procurement tornado (low, central, high), beyond the ownership ranges above.
PUE_OWNED_RANGE = (1.25, 1.58, 2.0)
PUE_OWNED_RANGE_SOURCE = (
    "shared/data/carbon/pue.csv: 1.25 IDC public-cloud average (2024) as the best a room could do; 1.58 Uptime "
    "2023 survey average; 2.0 'typical enterprise data center' (Data Center Knowledge 2008; IDC 2024: two-thirds "
    "of US enterprise rooms above 2.0)")
ELECTRICITY_PRICE_FACTOR_RANGE = (0.0882 / 0.1241, 1.0, 0.2391 / 0.1241)
ELECTRICITY_PRICE_FACTOR_SOURCE = (
    "EIA Electric Power Annual 2023, commercial sector: Texas 8.82 and California 23.91 c/kWh, the cheapest and "
    "dearest US states in shared/data/hardware/electricity_prices.csv, relative to the US 2022 average 12.41")
SERVER_PRICE_FACTOR_RANGE = (269000.0 / 317000.0, 1.0, 317000.0 / 269000.0)
SERVER_PRICE_FACTOR_SOURCE = (
    "Two sourced prices of an 8x H100 server in shared/data/hardware/servers.csv: $269k (SemiAnalysis estimate, "
    "2023) and $317k (Thinkmate quote, 2024), each relative to the other")

#: GPUs per cloud host, for the embodied emissions of a rented GPU (server base shared by its GPUs).
CLOUD_GPUS_PER_HOST = Assumption(
    "cloud_gpus_per_host", 8.0, "GPUs/host",
    "8-GPU HGX/DGX-class hosts: AWS p4d/p5 (8 GPUs), GCP a2-highgpu-8g/a3-highgpu-8g, Azure ND A100/H100 v4/v5 "
    "(8 GPUs)", "2025")

#: Age after which `trainplan prices status` warns that a provider's prices are stale.
PRICE_SNAPSHOT_MAX_AGE_DAYS = Assumption(
    "price_snapshot_max_age_days", 30.0, "day",
    "trainplan's choice: one billing month. Cloud GPU list prices move by tens of percent within months "
    "(AWS cut P4d/P4de/P5/P5en on-demand prices by up to 45% on 2025-06-05, AWS What's New), and spot "
    "prices drift daily (EC2 spot price history; shared/data/prices/README.md: spot values are snapshots)", "2025",
    "A judgement, not a measured threshold; on-demand list prices often hold for a year, spot never does.",
)


# --- Ranges of uncertain inputs (comparison engine) ------------------------------------------------------
#: Average GPU draw as a fraction of TDP: (low, central, high). Low from Strubell et al.'s own measurement.
GPU_POWER_FRACTION_RANGE = (0.7, 1.0, 1.0)
GPU_POWER_FRACTION_RANGE_NOTE = Assumption(
    "gpu_power_fraction_range", "0.7 / 1.0 / 1.0", "fraction of TDP (low/central/high)",
    "Low: Strubell et al. 2019 (ACL), Table 3 / section 3: 177-188 W average per 250 W P100 measured "
    "including host share, i.e. about 0.7 of TDP; central and high: the TDP convention above", "2019")

#: Multiplier on the peak-throughput ratio between two different GPUs: (low, central, high).
THROUGHPUT_RATIO_SPREAD = (0.8, 1.0, 1.25)
THROUGHPUT_RATIO_SPREAD_NOTE = Assumption(
    "throughput_ratio_spread", "0.8 / 1.0 / 1.25", "x peak ratio (low/central/high)",
    "trainplan judgement, no sourced spread: achieved speed-ups between GPU generations depend on memory "
    "bandwidth, interconnect and software, so the peak ratio is taken as the centre of a +-25% band", "2026",
    "Only applied where the option's GPU differs from the workload's; give throughput_ratios to fix it.")

#: Embodied CO2e of cloud GPUs: GPUs per physical server sharing its base embodied emissions.
CLOUD_GPUS_PER_SERVER = Assumption(
    "cloud_gpus_per_server", 8.0, "GPU/server",
    "Luccioni et al. (2022) BLOOM, Sec. 4.1: 8 A100 GPUs per HPE Apollo 6500 Gen10 Plus node; the "
    "common HGX form factor (p4d, p5, a3, ND H100 v5 all hold 8)", "2022")

# --- Spot / preemptible interruptions (planner/spot.py) --------------------------------------------------
_SPOT = "shared/data/prices/spot_interruption.csv"

#: AWS Spot Instance Advisor bands -> share of instances interrupted per month, % (low, central, high).
#: Central = the band's midpoint; the open band '>20%' runs to the advisor's internal maximum of 100.
AWS_SPOT_BANDS_PCT = {
    "<5%": (0.0, 2.5, 5.0),
    "5-10%": (5.0, 7.5, 10.0),
    "10-15%": (10.0, 12.5, 15.0),
    "15-20%": (15.0, 17.5, 20.0),
    ">20%": (20.0, 60.0, 100.0),
    "<10%": (0.0, 5.0, 10.0),
}
#: The advisor's average over every type and region (its ``global_rate``): the reference Spot instance.
AWS_SPOT_GLOBAL_BAND = "<10%"
AWS_SPOT_BANDS = Assumption(
    "aws_spot_band_mapping", "hazard = Google's per-VM hazard x band midpoint / 5% (global '<10%')",
    "interruptions per instance-hour",
    "AWS Spot Instance Advisor bands (<5%, 5-10%, 10-15%, 15-20%, >20% of Spot instances interrupted over the "
    f"trailing month; internal band maxima 5/11/16/22/100; global rate <10%) via alexei-led/spotinfo ({_SPOT})",
    "2025-06-28",
    "A band is a share of instances interrupted in a month, whatever each ran for: not a per-hour hazard (share "
    "/ 730 h would assume every instance ran all month). It ranks types and regions against the global <10% "
    "(midpoint 5%), scaled to Google's stated per-VM hazard; low/high from the band's ends and Google's 5%/15%. "
    "The open band >20% is taken as 20-100% (centre 60%). Types or regions without a band use '<10%'.")

#: GCP preemptible (and, for lack of data, Azure Spot) preemptions: share of VMs per day, % (low, central, high).
GCP_PREEMPTION_PCT_PER_DAY = (5.0, 10.0, 15.0)
GCP_PREEMPTION = Assumption(
    "gcp_preemption_pct_per_day", 10.0, "% of VMs per day",
    "Google Cloud preemptible VM documentation (older revision): 'historical average preemption rate varies "
    f"between 5% and 15% per day per project' ({_SPOT})", "2017-2020",
    "hazard = -ln(1 - share) / 24 h: 0.00214 / 0.00439 / 0.00677 per instance-hour (one interruption per 228 "
    "instance-hours at 10%). The only provider statement with a time base, so it anchors AWS's bands too. "
    "Azure publishes rates only in its portal and Resource Graph (none stored), so Azure Spot uses it as well.")

#: After an interruption: the chance one replacement instance is available at once, and the wait when not.
SPOT_INSTANCE_AVAILABILITY = Assumption(
    "spot_instance_availability", 0.95, "probability",
    "trainplan judgement, no sourced figure: replacement Spot capacity of the same type is usually there at "
    "once; it compounds over the k instances a job needs (w_k = D (1 - A^k)) because reclaims come together: "
    "co-interruptions of one type in one zone fall within 3 minutes in over 92% of cases (Spot-and-Scoot, "
    "arXiv 2604.16457, 2,635 interruptions on AWS and Azure)", "2026",
    "range 0.99 / 0.95 / 0.8 (low end = more available); 8 instances: 1 - 0.95^8 = 34% of restarts wait")
SPOT_AVAILABILITY_RANGE = (0.99, 0.95, 0.8)
SPOT_CAPACITY_WAIT_HOURS = Assumption(
    "spot_capacity_wait_hours", 1.0, "h",
    "trainplan judgement, no sourced figure: the wait for Spot capacity to return when a request cannot be "
    "filled at once (instances held, and billed, meanwhile)", "2026",
    "range 0.25 / 1 / 4 h; measure your own restarts and pass restart_hours to fold it in")
SPOT_CAPACITY_WAIT_RANGE = (0.25, 1.0, 4.0)

SPOT_CHECKPOINT_INTERVAL_HOURS = Assumption(
    "spot_checkpoint_interval_hours", 0.5, "h",
    "Practitioner guidance for spot training: 'checkpoint every 15-30 minutes' (lillytechsystems.com, "
    "AI infrastructure cost course, spot and preemptible instances, read 2026); the 30-min end", "2026",
    "range 0.25 / 0.5 / 1 h; 1 h is trainplan's upper judgement")
SPOT_CHECKPOINT_INTERVAL_RANGE = (0.25, 0.5, 1.0)

SPOT_RESTART_HOURS = Assumption(
    "spot_restart_hours", 0.25, "h",
    "trainplan judgement, no sourced figure: new capacity, boot, container pull and checkpoint load after an "
    f"interruption; AWS warns 120 s and GCP/Azure 30 s before reclaiming ({_SPOT})", "2026",
    "range 0.1 / 0.25 / 1 h; measure your own restart and pass restart_hours")
SPOT_RESTART_RANGE = (0.1, 0.25, 1.0)

# --- Hybrid owned + cloud plans (planner/hybrid.py) ----------------------------------------------------
#: Share of hours an owned server is up to run jobs (failures, repairs, maintenance windows taken out).
OWNED_AVAILABILITY = Assumption(
    "owned_availability", 0.90, "fraction of hours",
    "Llama 3 (Dubey et al. 2024, sec. 3.3.4): 'higher than 90% effective training time' over 54 days on 16,384 "
    "H100 GPUs with 466 job interruptions (tabulated at glennklockwood.com/garden/component-reliability)", "2024",
    "A 16k-GPU synchronous job's figure, so conservative for a small cluster's servers (Kokolis et al. 2024, "
    "arXiv:2410.21680: ~47 days between failures at 8 GPUs); range 0.90-1.0 (never down).")
OWNED_AVAILABILITY_RANGE = (0.90, 0.90, 1.0)

#: Carbon price for the 'cost + carbon' optimum when the user names none.
CARBON_PRICE_USD_PER_T = Assumption(
    "carbon_price_usd_per_t", 190.0, "USD/t CO2e",
    "US EPA, Report on the Social Cost of Greenhouse Gases (Nov 2023): 190 USD (2020 dollars) per "
    "t CO2 emitted in 2020 at a 2.0% near-term discount rate", "2023",
    "A damage estimate, not a market price: EU ETS allowances traded at roughly 60-100 EUR/t in 2023-2025.")

#: Month-by-month shape of a year's GPU demand when the user names none.
SEASONALITY = Assumption(
    "seasonality", "flat", "12 monthly weights",
    "No published month-by-month GPU-demand profile of an academic cluster was found: each month is 1/12 of "
    "the year. State your own (e.g. conference-deadline peaks) as 12 weights", "2026")

# --- Plain-language equivalences (reports) ------------------------------------------------------------
#: A modern, sourced everyday figure beside Strubell et al.'s Table 1 (which is read from the shipped data).
#: 8,887 g CO2/gallon x 11,500 miles / 22.0 mpg = 4.65 t, which EPA rounds to 4.6 t.
PASSENGER_VEHICLE_CO2_KG_PER_YEAR = Assumption(
    "passenger_vehicle_co2_kg_per_year", 4600.0, "kg CO2/vehicle-year",
    "US EPA, 'Tailpipe Greenhouse Gas Emissions from a Typical Passenger Vehicle', fact sheet EPA-420-F-23-014 "
    "(June 2023): a typical passenger vehicle emits about 4.6 metric tons of CO2 per year", "2023-06",
    "Tailpipe CO2 only (22.0 mpg, 11,500 miles/year); excludes CH4, N2O, fuel production and manufacture.")

#: The app's and reports' staleness threshold is the one `trainplan prices status` uses (one threshold).
PRICE_STALE_DAYS = PRICE_SNAPSHOT_MAX_AGE_DAYS

# --- Carbon over time (planner.grid_time, planner.plan_grid) ------------------------------------------
#: A procurement plan's first calendar year when the plan file gives none.
PLAN_START_YEAR = Assumption(
    "plan_start_year", 2027, "calendar year",
    "trainplan convention: the first full calendar year after this release's data (gathered 2026-12-01); give "
    "start_year in the plan file for your own", "2026-12-01")

# --- Global batch of published runs (the Ethernet scaling rule, planner/scaling.py) --------------------------
#: Tokens per optimiser step of models whose paper states it, by key; presets of these models carry it
#: (``Workload.batch_tokens``); other workloads take Llama 2's 4M (``scaling.GLOBAL_BATCH_TOKENS``). A smaller
#: batch means more all-reduces per token, so Ethernet-linked options scale worse.
PUBLISHED_BATCHES = {
    "bert": Assumption(
        "global_batch_tokens", 131_072, "tokens per optimiser step",
        "Devlin, Chang, Lee, Toutanova 2019, BERT (NAACL), Sec. A.2: 'batch size of 256 sequences (256 sequences "
        "* 512 tokens = 128,000 tokens/batch)', i.e. 256 x 512 = 131,072", "2019",
        "the paper's pre-training batch; 90% of its steps use 128-token sequences (32,768 tokens), so Ethernet "
        "options scale worse still than this figure gives"),
}
#: Presets of a model in ``PUBLISHED_BATCHES``.
PRESET_BATCHES = {"bert-base": "bert", "bert-base-tpu-v2": "bert"}
