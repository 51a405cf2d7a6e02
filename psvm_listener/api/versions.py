"""Version discovery, as nova answers it: ``GET /`` lists the versions,
``GET /v2`` describes the one this API has.  No authentication needed."""

UPDATED = '2014-05-01T00:00:00Z'


def version(host_url):
    return {'id': 'v2.0', 'status': 'CURRENT', 'version': '', 'min_version': '',
            'updated': UPDATED,
            'links': [{'rel': 'self', 'href': f'{host_url}/v2/'}],
            'media-types': [{'base': 'application/json',
                             'type': 'application/vnd.openstack.psvm+json;version=2'}]}


def document(path, host_url):
    """The discovery document of ``path``, or None if it is not one."""
    if path in ('', '/'):
        return {'versions': [version(host_url)]}
    if path in ('/v2', '/v2/'):
        return {'version': version(host_url)}
    return None
