"""The README's scale-out recipe: adcli's chunk function under Dask's map_partitions.

Runs where the ``dask`` extra is installed (``pip install "adcli[dask]"``;
CI installs it), with Dask's local scheduler; skipped elsewhere.  The numbers
are checked against the closed form, not against adcli's own one-point run.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")


def recipe(frame, expression: str):
    """The code the README shows, word for word in substance."""
    from adcli.api import gradients

    def partition(part):
        out = gradients(expression, part)
        return pd.DataFrame(out, index=part.index)

    meta = pd.DataFrame({"value": [0.0], "d/dx": [0.0], "d/dy": [0.0],
                         "error": pd.Series([None], dtype=object)})
    return frame.map_partitions(partition, meta=meta)


def test_map_partitions_gives_the_closed_form():
    rng = np.random.default_rng(11)
    x, y = rng.uniform(0.1, 3, 10_000), rng.uniform(-2, 2, 10_000)
    frame = dd.from_pandas(pd.DataFrame({"x": x, "y": y}), npartitions=7)
    result = recipe(frame, "x**2*sin(y) + log(x)").compute(scheduler="synchronous")
    assert len(result) == 10_000
    np.testing.assert_allclose(result["d/dx"], 2 * x * np.sin(y) + 1 / x, rtol=1e-14)
    np.testing.assert_allclose(result["d/dy"], x ** 2 * np.cos(y), rtol=1e-14, atol=1e-14)
    assert result["error"].isna().all()


def test_failed_rows_travel_through_dask():
    frame = dd.from_pandas(pd.DataFrame({"x": [1.0, -1.0, 4.0], "y": [0.0, 0.0, 0.0]}),
                           npartitions=2)
    result = recipe(frame, "sqrt(x) + y").compute(scheduler="threads")
    assert result["d/dx"].tolist()[0] == 0.5 and result["d/dx"].tolist()[2] == 0.25
    assert math.isnan(result["d/dx"].tolist()[1])
    assert "sqrt is undefined" in result["error"].tolist()[1]
