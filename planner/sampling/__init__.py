"""Readers of hardware power sensors (NVML for NVIDIA GPUs, powercap/RAPL for CPU and DRAM): the I/O of
`trainplan measure`, kept apart from the pure aggregation in ``planner.measure``."""
