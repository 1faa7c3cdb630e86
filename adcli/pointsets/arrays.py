"""NumPy points: ``.npy`` (structured, or 1-D for one variable) and ``.npz``.

A ``.npy`` file is memory-mapped to check it, then read a chunk at a time; the
arrays of an ``.npz`` are read from the zip member by member, a chunk at a
time, so neither is ever loaded whole.
"""

from __future__ import annotations

from ..errors import UsageError

_SHAPES = ("give a structured array with one field per variable, or an .npz file with "
           "one 1-D array per variable (numpy.savez(FILE, x=..., y=...))")


def _numeric(dtype) -> bool:
    return dtype.fields is None and dtype.shape == () and dtype.kind in "iuf"


class Npy:
    """A memory-mapped .npy file: its columns by name, and its length."""

    def __init__(self, path: str, label: str, wanted: tuple):
        import numpy as np

        self.path = path
        try:
            self.array = np.load(path, mmap_mode="r", allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            raise UsageError(f"{label} is not a readable .npy file ({_first_line(exc)})"
                             ) from None
        if not isinstance(self.array, np.ndarray):
            raise UsageError(f"{label} is not a .npy file: {_SHAPES}")
        array, fields = self.array, self.array.dtype.names
        if fields and array.ndim == 1:
            for name in fields:
                if not _numeric(array.dtype[name]):
                    raise UsageError(f"{label}: field {name} holds {array.dtype[name]}, "
                                     f"not real numbers")
            self.columns = tuple(fields)
        elif not fields and array.ndim == 1 and _numeric(array.dtype):
            if len(wanted) != 1:
                raise UsageError(f"{label} holds one unnamed 1-D array, but the formula "
                                 f"needs {len(wanted)} variables ({', '.join(wanted)}): "
                                 f"{_SHAPES}")
            self.columns = wanted
        else:
            raise UsageError(f"{label} holds an array of shape {array.shape} and type "
                             f"{array.dtype}: {_SHAPES}")
        self.total = len(array)

    def chunks(self, names: tuple, size: int):
        """Read with plain file reads at the memory map's offset: pages of a map
        already read would count in the process's memory, chunk after chunk."""
        import numpy as np

        dtype, plain = self.array.dtype, self.array.dtype.names is None
        with open(self.path, "rb") as stream:
            stream.seek(self.array.offset)
            for lo in range(0, self.total, size):
                part = np.fromfile(stream, dtype=dtype, count=min(size, self.total - lo))
                yield {name: np.array(part if plain else part[name], dtype=np.float64)
                       for name in names}


class Npz:
    """The 1-D arrays of an .npz file, streamed from the zip members."""

    def __init__(self, path: str, label: str):
        import zipfile

        self.path, self.label = path, label
        try:
            with zipfile.ZipFile(path) as archive:
                members = {n[:-4]: n for n in archive.namelist() if n.endswith(".npy")}
                self.members = members
                heads = {name: self._head(archive, member) for name, member in members.items()}
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise UsageError(f"{label} is not a readable .npz file ({_first_line(exc)})"
                             ) from None
        self.dtypes = {name: dtype for name, (dtype, _) in heads.items()}
        lengths = {name: length for name, (_, length) in heads.items()}
        self.columns = tuple(members)
        self.lengths = lengths
        self.total = None

    def _head(self, archive, member: str):
        with archive.open(member) as stream:
            return _read_head(stream, f"{self.label} array {member[:-4]}")

    def settle(self, names: tuple) -> int:
        """The common length of the arrays ``names``, refused if they differ."""
        lengths = {name: self.lengths[name] for name in names}
        if len(set(lengths.values())) > 1:
            shown = ", ".join(f"{k} has {v:,}" for k, v in lengths.items())
            raise UsageError(f"{self.label}: the arrays differ in length ({shown}): one "
                             f"value per point in each")
        self.total = next(iter(lengths.values()), 0)
        return self.total

    def chunks(self, names: tuple, size: int):
        import zipfile

        import numpy as np

        with zipfile.ZipFile(self.path) as archive:
            streams = {name: archive.open(self.members[name]) for name in names}
            try:
                for stream in streams.values():
                    _read_head(stream, self.label)
                for lo in range(0, self.total, size):
                    n = min(size, self.total - lo)
                    chunk = {}
                    for name, stream in streams.items():
                        dtype = self.dtypes[name]
                        data = stream.read(n * dtype.itemsize)
                        if len(data) != n * dtype.itemsize:
                            raise UsageError(f"{self.label}: array {name} ends early, "
                                             f"after about {lo:,} values")
                        chunk[name] = np.frombuffer(data, dtype=dtype).astype(np.float64)
                    yield chunk
            finally:
                for stream in streams.values():
                    stream.close()


def _read_head(stream, what: str):
    """The dtype and length in a .npy header, refused unless 1-D real numbers."""
    from numpy.lib import format as npy

    version = npy.read_magic(stream)
    if version == (1, 0):
        shape, fortran, dtype = npy.read_array_header_1_0(stream)
    elif version == (2, 0):
        shape, fortran, dtype = npy.read_array_header_2_0(stream)
    else:
        raise UsageError(f"{what}: .npy format version {version} is not supported")
    if len(shape) != 1 or not _numeric(dtype):
        raise UsageError(f"{what} has shape {shape} and type {dtype}: one 1-D array of "
                         f"real numbers per variable, equal lengths")
    return dtype, shape[0]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
