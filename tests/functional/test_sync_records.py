"""Last-sync records under a burst: the newest of each switch, in one transaction."""

import datetime

import sqlalchemy as sa
from cryptography import fernet

from psvm_listener import sync_records
from psvm_listener.db import api


def test_a_burst_of_syncs_writes_the_newest_record_of_each_switch_once(db_url, tmp_path):
    key_file = tmp_path / 'credential.key'
    key_file.write_bytes(fernet.Fernet.generate_key())
    with api.Database(db_url, key_file=str(key_file)) as database:
        database.create_schema()
        cred = database.create_credential(user_name='admin', password='secret')
        switches = [database.create_switch(ip=f'192.0.2.{n}', switch_cred_id=cred['id'])['id']
                    for n in (1, 2, 3)]
        updates = []
        sa.event.listen(database.engine, 'before_cursor_execute',
                        lambda _c, _cur, statement, *_: updates.append(statement)
                        if statement.lstrip().upper().startswith('UPDATE') else None)
        records = sync_records.SyncRecords(database, interval=30.0)
        at = datetime.datetime.now(datetime.timezone.utc)
        for n in range(20):
            for switch_id in switches:
                records.record(switch_id, at=at, result=f'ok: sync {n}', lif_usage=n, drift=0)
        records.close()
        assert [(database.get_switch(s)['last_sync_result'], database.get_switch(s)['lif_usage'])
                for s in switches] == [('ok: sync 19', 19)] * 3
        assert len(updates) == 3
        records.record(switches[0], at=at, result='after close')
        assert database.get_switch(switches[0])['last_sync_result'] == 'ok: sync 19'
