"""Text columns of result tables, built without a Python step per row.

A comparison has one row per offer (190,000 for a large snapshot), but its text columns take few distinct
values: a reason's numbers repeat over regions and pricing models, an id suffix depends on the interconnect
rule. ``distinct_codes`` numbers the distinct combinations of some columns, ``format_distinct`` formats a
string once per combination, and ``str_array`` turns an object array into pandas' ``str`` column in one
Arrow pass (pandas' own conversion from objects costs about twice as much).
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
        # a pandas column is factorised as it is stored (Arrow text: no Python string per row)
        code, uniques = pd.factorize(column if isinstance(column, pd.Series) else np.asarray(column),
                                     use_na_sentinel=False)
        codes = pd.factorize(codes * (len(uniques) + 1) + np.asarray(code))[0]
    first = np.full(int(codes.max()) + 1 if size else 0, size, dtype=np.int64)
    np.minimum.at(first, codes, np.arange(size))
    return codes, first


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


def str_array_of_few(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``str_array`` for a column of few distinct values: each distinct string converted once (Arrow dictionary)."""
    values = np.asarray(values, dtype=object)
    if _OBJECT_TEXT or len(values) < 64:
        return str_array(values)
    codes, uniques = pd.factorize(values)
    if 4 * len(uniques) > len(values):
        return str_array(values)
    try:
        words = pa.array(np.asarray(uniques, dtype=object), type=pa.large_string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return str_array(values)
    indices = pa.array(codes.astype(np.int32), mask=codes < 0)
    return pd.array(pa.DictionaryArray.from_arrays(indices, words).cast(pa.large_string()), dtype=STR_DTYPE)


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
