-- Xero contacts that sell to the firm (flagged supplier, or with a bill or supplier credit note) as the canonical
-- ERP vendors (the columns of stg_netsuite__vendors), each in its organisation's subsidiary; no intercompany;
-- one vendor per account number across organisations (int_xero__shared_records).
with sellers as (
    select contact_id from {{ ref('int_xero__documents') }} where type_code in ('ACCPAY', 'ACCPAYCREDIT')
)

select
    c.contact_id as vendor_id,
    c.contact_name as vendor_name,
    c.contact_name as company_name,
    o.subsidiary_id,
    c.default_currency_code as currency_id,
    cast(null as {{ dbt.type_string() }}) as representing_subsidiary_id,
    false as is_intercompany,
    coalesce(c.contact_status = 'ARCHIVED', false) as is_inactive,
    cast(c.modified_at as {{ dbt.type_timestamp() }}) as modified_at,
    'xero' as source_system,
    c._source_file,
    c._source_row,
    c._loaded_at
from {{ ref('stg_xero__contacts') }} as c
inner join {{ ref('int_xero__organisation') }} as o on o.source_relation = c.source_relation
where (coalesce(c.is_supplier, false) or c.contact_id in (select s.contact_id from sellers as s))
    and c.contact_id not in (
        select r.record_id from {{ ref('int_xero__shared_records') }} as r
        where r.record_type = 'contact' and r.canonical_id <> r.record_id
    )
