"""trainplan's model: what training a workload costs in USD, kWh and kg CO2e, cloud or owned.

Start with ``planner.api`` (plain values in, DataFrames out); the modules it calls are pure functions
over scalars and arrays: ``units``, ``catalog``, ``workload``, ``energy``, ``carbon``, ``cost``.
"""

__version__ = "0.1.0"
