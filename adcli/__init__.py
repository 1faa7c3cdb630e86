"""adcli: derivatives you can trust and watch being made.

The package is layered so that data flows one way: text is parsed into a
:class:`~adcli.language.graph.Graph`, recorded at a point into a
:class:`~adcli.tape.record.Tape`, differentiated by a backend into result records,
and rendered.  Importing it is cheap: SymPy, NumPy and mpmath are imported
only by the code paths that need them.
"""

__version__ = "0.1.0"
