"""psvm-manage explain names what needs each VLAN, from nova's database and the switch."""

FIRST_INSTANCE = '00000000-0000-4000-8000-000000000001'


def test_explain_names_the_instance_behind_a_vlan_and_why_one_goes(world):
    rig, manage = world
    rig.sync()
    rig.plugin.close()  # the listener lets go: psvm-manage runs in this process, one session each
    rig.switch.set_allowed('ethernet1/3', {1, 100, 101, 666})
    entries = {e['vlan']: e for e in manage.json('explain', '--switch', str(rig.switch_id),
                                                 '--port', 'e1/3')}
    assert sorted(entries) == [1, 100, 101, 666]
    assert entries[100]['action'] == 'allowed'
    [why] = entries[100]['reasons']
    assert why['reason'] == 'instance' and why['instance_uuid'] == FIRST_INSTANCE
    assert why['host'] == 'compute-1' and why['network'] == 'vlan100'
    assert entries[666]['action'] == 'remove' and entries[666]['reasons'] == []
    assert entries[1]['action'] == 'left alone'
    table = manage.ok('explain', '--switch', str(rig.switch_id), '--port', 'ethernet1/3')
    assert (f'instance {FIRST_INSTANCE} on host compute-1 has fixed IP 10.0.100.2 in '
            f'network vlan100') in table
    assert 'nothing on compute-1 needs it' in table
    assert rig.switch.allowed('ethernet1/3') == {1, 100, 101, 666}


def test_explain_by_host_covers_its_ports_and_a_network_associated_with_it(world):
    rig, manage = world
    rig.nova.associate_network(rig.network(300), 'compute-2')
    entries = manage.json('explain', '--host', 'compute-2')
    assert {(e['port'], e['vlan'], e['action']) for e in entries} >= {
        ('ethernet101/1/2', 200, 'allowed'), ('ethernet101/1/2', 300, 'allowed')}
    [why] = [e['reasons'] for e in entries if e['vlan'] == 300][0]
    assert why['reason'] == 'network_host' and why['host'] == 'compute-2'
    assert 'give --switch ID --port P, or --host H' in manage.fails('explain', '--port', 'e1/3')
