from psvm_listener.db import models


def test_each_table_has_a_shadow_twin_with_the_same_columns():
    for table in models.TABLES:
        shadow = models.SHADOWS[table.name]
        assert shadow.name == f'shadow_{table.name}'
        assert [(c.name, str(c.type), c.nullable) for c in shadow.columns] == [
            (c.name, str(c.type), c.nullable) for c in table.columns]
        assert not shadow.foreign_keys
        assert not [c for c in shadow.constraints if c.name and c.name.startswith('uq_')]


def test_live_rows_are_unique_with_deleted_in_the_key():
    def uniques(table):
        return {tuple(c.name for c in constraint.columns)
                for constraint in table.constraints if constraint.name.startswith('uq_')}
    assert uniques(models.Switch.__table__) == {('ip', 'port', 'deleted')}
    assert uniques(models.SwitchportBinding.__table__) == {
        ('switch_id', 'switch_port', 'deleted')}


def test_tables_are_listed_children_first():
    names = [table.name for table in models.TABLES]
    assert names == ['psvm_switchport_binding', 'psvm_pending_plan', 'psvm_switch',
                     'psvm_switch_credential', 'psvm_move_intent']
