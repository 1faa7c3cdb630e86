"""The Wengert list: recording a graph at a point, replaying it over any
namespace, the tangent and adjoint sweeps, second order and Taylor mode."""
