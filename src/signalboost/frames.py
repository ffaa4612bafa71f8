"""Small conversions between the case's Arrow-backed columns and numpy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def epoch_seconds(times: pd.Series) -> np.ndarray:
    """UTC timestamps (any pandas or Arrow dtype) as float seconds since 1970; missing values are NaN."""
    array = pa.array(times, from_pandas=True)
    if not pa.types.is_timestamp(array.type):
        array = pc.cast(pd.to_datetime(times, utc=True).array.__arrow_array__(), pa.timestamp("ms", tz="UTC"))
    millis = pc.cast(pc.cast(array, pa.timestamp("ms", tz="UTC")), pa.int64())
    return millis.to_numpy(zero_copy_only=False).astype(float) / 1000.0
