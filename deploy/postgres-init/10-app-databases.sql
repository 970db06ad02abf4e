-- One database per distributed app, next to the shop's `agora` (POSTGRES_DB).
-- The postgres image runs this file once, when it initialises an empty data directory.
-- It skips databases that exist, so it can be run again on a volume made before it existed:
--   docker compose exec postgres psql -U agora -d agora -f /docker-entrypoint-initdb.d/10-app-databases.sql
SELECT format('CREATE DATABASE %I', name)
FROM unnest(ARRAY['agora_user', 'agora_order', 'agora_inventory', 'agora_payment', 'agora_recommendation']) AS name
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = name)
\gexec
