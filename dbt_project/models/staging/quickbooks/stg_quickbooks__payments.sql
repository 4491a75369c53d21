-- Customer payments received.
with source as (
    select * from {{ source('quickbooks', 'payment') }}
    where not coalesce(_is_deleted, false)
)

select
    coalesce(source_relation, '') as source_relation,
    {{ id_str('id') }} as payment_id,
    {{ id_str('customer_id') }} as customer_id,
    transaction_date as payment_date,
    {{ code_str('currency_id') }} as currency_code,
    exchange_rate,
    total_amount,
    unapplied_amount,
    {{ id_str('deposit_to_account_id') }} as deposit_account_id,
    {{ id_str('receivable_account_id') }} as receivable_account_id,
    {{ id_str('reference_number') }} as reference_number,
    updated_at as modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _extract_date,
    _loaded_at
from source
