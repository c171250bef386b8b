"""Text columns of result tables, built without a Python step per row.

A comparison has one row per offer (190,000 for a large snapshot), but its text takes few distinct values
per column (a reason's numbers repeat over regions and pricing models, an id suffix depends on the
interconnect rule) or comes from the snapshot's offers. ``distinct_codes`` numbers the distinct combinations
of some columns and ``format_distinct`` formats a string once per combination; ``str_array`` turns an object
array into pandas' ``str`` column in one Arrow pass (pandas' own conversion costs about twice as much, an
Arrow dictionary of the distinct values did not pay); ``str_take``, ``str_concat`` and ``str_chunks`` take
rows of, append to and join Arrow string arrays without materialising Python strings.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: pandas' default text dtype (``str``: Arrow storage, NaN for missing), the dtype result tables carry.
STR_DTYPE = pd.Series(["x"]).dtype
_OBJECT_TEXT = not isinstance(STR_DTYPE, pd.StringDtype)  # pandas without a str dtype: text stays objects


def distinct_codes(*columns: np.ndarray | pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(code of each row's combination of values, the position of each code's first row).

    Codes number the combinations in order of first appearance; NaN and None are values like any other.
    """
    size = len(columns[0])
    codes = np.zeros(size, dtype=np.int64)
    for column in columns:
        code, distinct = _codes(column)
        codes = pd.factorize(codes * (distinct + 1) + code)[0]
    # codes are numbered in order of first appearance: each first row is where the running maximum grows
    first = np.flatnonzero(np.diff(np.maximum.accumulate(codes), prepend=-1) > 0) if size else np.zeros(0, np.int64)
    return codes, first


def _codes(column: np.ndarray | pd.Series) -> tuple[np.ndarray, int]:
    """(code per row, number of codes); a missing value is a value. Arrow text is encoded as stored."""
    if isinstance(column, pd.Series) and isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        stored = pa.array(column.array)
        if isinstance(stored, pa.ChunkedArray):
            stored = stored.combine_chunks()
        encoded = stored.dictionary_encode(null_encoding="encode")
        return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), len(encoded.dictionary)
    code, uniques = pd.factorize(np.asarray(column), use_na_sentinel=False)
    return code, len(uniques)


def format_distinct(make: Callable[..., str], *columns: np.ndarray) -> np.ndarray:
    """``make(*values)`` of every row as an object array, called once per distinct combination of values."""
    if not len(columns[0]):
        return np.zeros(0, dtype=object)
    codes, first = distinct_codes(*columns)
    texts = np.empty(len(first), dtype=object)
    texts[:] = [make(*(c[i] for c in columns)) for i in first]
    return texts[codes]


def str_array(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """An object array of str / None as pandas' ``str`` array (None -> missing), the same as pandas infers."""
    values = np.asarray(values, dtype=object)
    if _OBJECT_TEXT:
        return pd.array(values, dtype=object)
    try:
        return pd.array(pa.array(values, type=pa.large_string(), from_pandas=True), dtype=STR_DTYPE)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all text: pandas' own conversion
        return pd.array(values, dtype=object)


def str_concat(column: pd.Series, suffix: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``f"{a}{b}"`` per row of a text column and an object array of str, in Arrow (a missing value reads 'nan')."""
    if _OBJECT_TEXT:
        return pd.array(column.astype(str).to_numpy(dtype=object) + suffix, dtype=object)
    left = pa.array(column.array) if isinstance(column.dtype, pd.StringDtype) else pa.array(
        column.astype(str).to_numpy(dtype=object), type=pa.large_string())
    joined = pc.binary_join_element_wise(left.cast(pa.large_string()), pa.array(suffix, type=pa.large_string()),
                                         pa.scalar("", type=pa.large_string()),
                                         null_handling="replace", null_replacement="nan")
    return pd.array(joined, dtype=STR_DTYPE)


def str_take(source: pa.Array, indices: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Rows ``indices`` of an Arrow string array as pandas' ``str`` array."""
    if _OBJECT_TEXT:
        return pd.array(source.take(pa.array(indices)).to_numpy(zero_copy_only=False), dtype=object)
    return pd.array(source.take(pa.array(indices)), dtype=STR_DTYPE)


def arrow_strings(values: np.ndarray) -> pa.Array:
    """An object array of str / None as an Arrow large_string array."""
    return pa.array(np.asarray(values, dtype=object), type=pa.large_string(), from_pandas=True)


def str_chunks(chunks: list[pa.Array | pa.ChunkedArray]) -> pd.api.extensions.ExtensionArray:
    """Arrow string pieces one after the other as one pandas ``str`` array (no copy of the strings)."""
    pieces = [a for c in chunks for a in (c.chunks if isinstance(c, pa.ChunkedArray) else [c])]
    joined = pa.chunked_array(pieces, type=pa.large_string())
    if _OBJECT_TEXT:
        return pd.array(joined.to_numpy(), dtype=object)
    return pd.array(joined, dtype=STR_DTYPE)
