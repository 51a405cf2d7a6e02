"""psvm-listener: keeps switch trunk ports allowing exactly the VLANs their hosts need.

psvm-listener runs on plain threads.  oslo.messaging imports oslo.service,
whose default backend is still eventlet; choosing its threading backend here,
before anything imports oslo.messaging, keeps eventlet out of the service.
futurist still probes for an installed eventlet at import (oslo.service
depends on it, so it is installed); that probe's deprecation warning says
nothing about this program and is silenced.
"""

import warnings

from oslo_service import backend as _service_backend

_service_backend.register_backend_default_hook(
    lambda: _service_backend.BackendType.THREADING)
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
