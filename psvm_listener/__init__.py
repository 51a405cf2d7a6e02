"""psvm-listener: keeps switch trunk ports allowing exactly the VLANs their hosts need."""
