"""psvm-listener: keeps switch trunk ports allowing exactly the VLANs their hosts need.

psvm-listener runs on plain threads and never uses eventlet, which OpenStack
is retiring.  eventlet is still installed (oslo.service requires it), and
libraries import it merely because it is there: futurist probes for it,
oslo.service loads it as its default backend.  Marking it absent here, before
any of them is imported, keeps its monkey-patching machinery (and ~12 MB of
resident memory) out of every psvm process; oslo.service is told to use its
threading backend instead.
"""

import sys

sys.modules.setdefault('eventlet', None)

from oslo_service import backend as _service_backend  # noqa: E402

_service_backend.register_backend_default_hook(
    lambda: _service_backend.BackendType.THREADING)
