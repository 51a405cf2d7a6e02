-- A read-only user for psvm-listener on nova's database (MariaDB / MySQL).
-- Replace the password (and the host part '%', the database name nova) to
-- suit, then run as an administrator: mysql < nova-grants.sql
-- MariaDB grants on one table, or on a whole database, per statement: a
-- list of tables in one GRANT is not valid SQL.
CREATE USER IF NOT EXISTS 'psvm_ro'@'%' IDENTIFIED BY 'SECRET';
GRANT SELECT ON nova.services TO 'psvm_ro'@'%';
GRANT SELECT ON nova.compute_nodes TO 'psvm_ro'@'%';
GRANT SELECT ON nova.networks TO 'psvm_ro'@'%';
GRANT SELECT ON nova.fixed_ips TO 'psvm_ro'@'%';
GRANT SELECT ON nova.virtual_interfaces TO 'psvm_ro'@'%';
GRANT SELECT ON nova.instances TO 'psvm_ro'@'%';
GRANT SELECT ON nova.migrations TO 'psvm_ro'@'%';
