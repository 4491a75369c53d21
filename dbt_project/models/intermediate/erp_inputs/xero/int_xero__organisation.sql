-- The one Xero organisation as the ERP's one subsidiary (helper of the erp_inputs mapping): its id (the
-- organisation id, else 'xero' when the export has no organisation row), names, country and base currency
-- (int_xero__base_currency), and the legal entity code CRM and PSA use for it (var xero_legal_entity_code).
{%- set entity = var('xero_legal_entity_code') %}
with organisations as (
    select
        *,
        row_number() over (order by modified_at desc, organisation_id asc) as recency
    from {{ ref('stg_xero__organizations') }}
),

one_row as (
    select cast('xero' as {{ dbt.type_string() }}) as fallback_id
)

select
    coalesce(o.organisation_id, r.fallback_id) as subsidiary_id,
    coalesce(o.organisation_name, o.legal_name, 'Xero organisation') as subsidiary_name,
    o.legal_name,
    {{ dbt.string_literal(entity | upper) if entity else 'cast(null as ' ~ dbt.type_string() ~ ')' }} as legal_entity_code,
    o.country_code,
    b.base_currency_code,
    o.modified_at,
    o._source_file,
    o._source_row,
    o._loaded_at
from one_row as r
left join organisations as o on o.recency = 1
cross join {{ ref('int_xero__base_currency') }} as b
