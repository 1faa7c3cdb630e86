"""Python programs of the user's own, traced into an ordinary adcli graph."""
