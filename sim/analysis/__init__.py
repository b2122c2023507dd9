"""Analysis: reads only tidy outputs (summary, KPIs, time series) and draws or aggregates them."""
