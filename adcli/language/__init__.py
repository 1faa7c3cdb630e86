"""The formula language: text to tokens to a hash-consed graph, and back to text.

Lexer, parser, graph, printer and the point (``--at``) values, which are read
by the same parser.  Nothing here knows a point-dependent value or a sweep.
"""
