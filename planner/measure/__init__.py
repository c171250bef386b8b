"""Measuring a training run's power: the record (``record``), the NVML and RAPL readers (``nvml``, ``rapl``),
the command runner that samples them (``runner``) and the reader that turns a record into a ``PowerProfile``
(``reader``). Only ``runner``, ``nvml`` and ``rapl`` touch the machine; ``record`` is pure."""
