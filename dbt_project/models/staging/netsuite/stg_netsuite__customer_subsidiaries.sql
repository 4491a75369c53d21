-- Which subsidiaries may transact with a customer.
with source as (
    select * from {{ source('netsuite', 'customersubsidiaryrelationship') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as customer_subsidiary_id,
    {{ id_str(adapter.quote('entity')) }} as customer_id,
    {{ id_str('subsidiary') }} as subsidiary_id,
    isprimarysub as is_primary_subsidiary,
    lastmodifieddate as modified_at,
    'netsuite' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
