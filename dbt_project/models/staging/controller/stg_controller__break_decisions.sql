-- The controller's decisions on reconciliation breaks (acknowledge or waive, with reason, name and expiry),
-- the latest per check and record. Values are trimmed and the decision lower-cased; the loader has already
-- quarantined rows with a missing value, a bad date or an unknown decision (raw.rejects).
with source as (
    select * from {{ source('controller', 'break_decisions') }}
    where not coalesce(_is_deleted, false)
)

select
    trim(check_id) as check_id,
    trim(record_key) as record_key,
    lower(trim(decision)) as decision,
    trim(reason) as reason,
    trim(decided_by) as decided_by,
    decided_on,
    expires_on,
    'controller' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
