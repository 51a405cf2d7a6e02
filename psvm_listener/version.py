"""The installed version, in the shape oslo.reports and --version expect."""

from importlib import metadata

DISTRIBUTION = 'psvm-listener'


def version_string():
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return 'unknown (not installed)'


class _VersionInfo:
    """nova's version object: what a Guru Meditation report's Package section reads."""

    @staticmethod
    def vendor_string():
        return 'psvm-listener'

    @staticmethod
    def product_string():
        return DISTRIBUTION

    @staticmethod
    def version_string_with_package():
        return version_string()


VERSION = _VersionInfo()
