-- What each invoice is linked to, one linked transaction per row (estimate, payment, charge, time activity).
with source as (
    select * from {{ source('quickbooks', 'invoice_linked_txn') }}
    where not coalesce(_is_deleted, false)
)

select
    coalesce(source_relation, '') as source_relation,
    {{ id_str('invoice_id') }} as invoice_id,
    {{ adapter.quote('index') }} as link_index,
    {{ id_str('estimate_id') }} as estimate_id,
    {{ id_str('payment_id') }} as payment_id,
    {{ id_str('time_activity_id') }} as time_activity_id,
    _fivetran_synced as modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
