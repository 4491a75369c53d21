-- Xero chart of accounts: type and class decoded as Xero sends them (upper case).
with source as (
    select * from {{ source('xero', 'account') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('account_id') }} as account_id,
    {{ adapter.quote('name') }} as account_name,
    {{ id_str('code') }} as account_code,
    {{ code_str(adapter.quote('type')) }} as account_type,
    {{ code_str(adapter.quote('class')) }} as account_class,
    {{ code_str('status') }} as account_status,
    {{ code_str('currency_code') }} as currency_code,
    {{ code_str('system_account') }} as system_account,
    description,
    coalesce(updated_date_utc, _fivetran_synced) as modified_at,
    coalesce(source_relation, 'xero') as source_relation,
    'xero' as source_system,
    _source_file,
    _source_row,
    _extract_date,
    _loaded_at
from source
