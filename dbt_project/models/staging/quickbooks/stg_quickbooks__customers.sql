-- Customers (the ERP side of the client master); jobs are sub-customers.
with source as (
    select * from {{ source('quickbooks', 'customer') }}
    where not coalesce(_is_deleted, false)
)

select
    coalesce(source_relation, '') as source_relation,
    {{ id_str('id') }} as customer_id,
    display_name as customer_name,
    company_name,
    fully_qualified_name,
    {{ id_str('parent_customer_id') }} as parent_customer_id,
    coalesce(job, false) as is_job,
    active as is_active,
    {{ code_str('currency_id') }} as currency_code,
    balance,
    {{ label_str('email') }} as email,
    {{ id_str('resale_number') }} as registration_number,
    created_at,
    updated_at as modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
