-- Xero contacts that buy (flagged customer, or with a sales invoice or customer credit note) as the canonical
-- ERP customers (the columns of stg_netsuite__customers), each in its organisation's subsidiary; one customer
-- per account number across organisations (int_xero__shared_records: the other organisations' copies are left out). The firm's
-- own reference (account_number) is the customer number; the tax number the registration number. Xero has no
-- CRM / PSA ids, country, payment terms or parent customers: typed nulls (the crosswalk matches on names).
with buyers as (
    select contact_id from {{ ref('int_xero__documents') }} where type_code in ('ACCREC', 'ACCRECCREDIT')
)

select
    c.contact_id as customer_id,
    c.account_number as customer_number,
    c.contact_name as company_name,
    c.contact_name as alt_name,
    c.email,
    c.default_currency_code as currency_id,
    o.subsidiary_id,
    cast(null as {{ dbt.type_string() }}) as parent_customer_id,
    cast(null as {{ dbt.type_bigint() }}) as payment_terms_days,
    c.tax_number as registration_number,
    cast(null as {{ dbt.type_string() }}) as country_code,
    cast(null as {{ dbt.type_string() }}) as crm_account_id,
    cast(null as {{ dbt.type_string() }}) as psa_client_id,
    c.account_number as external_id,
    cast(null as {{ dbt.type_string() }}) as representing_subsidiary_id,
    false as is_intercompany,
    coalesce(c.first_name is not null and c.contact_name = {{ dbt.concat(['c.first_name', "' '", 'c.last_name']) }}, false)
        as is_person,
    coalesce(c.contact_status = 'ARCHIVED', false) as is_inactive,
    cast(null as {{ dbt.type_timestamp() }}) as created_at,
    cast(c.modified_at as {{ dbt.type_timestamp() }}) as modified_at,
    'xero' as source_system,
    c._source_file,
    c._source_row,
    c._loaded_at
from {{ ref('stg_xero__contacts') }} as c
inner join {{ ref('int_xero__organisation') }} as o on o.source_relation = c.source_relation
where (coalesce(c.is_customer, false) or c.contact_id in (select b.contact_id from buyers as b))
    and c.contact_id not in (
        select r.record_id from {{ ref('int_xero__shared_records') }} as r
        where r.record_type = 'contact' and r.canonical_id <> r.record_id
    )
