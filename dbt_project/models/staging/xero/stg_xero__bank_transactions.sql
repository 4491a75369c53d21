-- Xero spend / receive money on bank accounts (not invoice payments).
with source as (
    select * from {{ source('xero', 'bank_transaction') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('bank_transaction_id') }} as bank_transaction_id,
    {{ id_str('contact_id') }} as contact_id,
    {{ id_str('bank_account_id') }} as bank_account_id,
    {{ code_str(adapter.quote('type')) }} as bank_transaction_type,
    {{ code_str('status') }} as status,
    {{ adapter.quote('date') }} as transaction_date,
    reference,
    {{ code_str('currency_code') }} as currency_code,
    cast(coalesce(currency_rate, 1) as {{ throughline.rate_type() }}) as currency_rate,
    total,
    is_reconciled,
    coalesce(updated_date_utc, _fivetran_synced) as modified_at,
    coalesce(source_relation, 'xero') as source_relation,
    'xero' as source_system,
    _source_file,
    _source_row,
    _extract_date,
    _loaded_at
from source
