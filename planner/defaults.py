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
