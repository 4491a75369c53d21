-- Each Xero organisation (source_relation) as one subsidiary of the ERP (helper of the erp_inputs mapping): its
-- id (the organisation id, else the source_relation when the export has no organisation row), names, country,
-- base currency (int_xero__base_currency) and the legal entity code CRM and PSA use for it: var
-- xero_legal_entity_codes (source_relation -> code), else var xero_legal_entity_code (a one-organisation
-- export), else the organisation's short code. Xero has no group structure: when there are several
-- organisations, the one whose base currency is var reporting_currency (exactly one) is the parent of the others.
{%- set entity = var('xero_legal_entity_code') %}
{%- set codes = var('xero_legal_entity_codes', {}) or {} %}
with organisations as (
    select
        *,
        row_number() over (partition by source_relation order by modified_at desc, organisation_id asc) as recency
    from {{ ref('stg_xero__organizations') }}
),

resolved as (
    select
        b.source_relation,
        coalesce(o.organisation_id, b.source_relation) as subsidiary_id,
        coalesce(o.organisation_name, o.legal_name, 'Xero organisation') as subsidiary_name,
        o.legal_name,
        upper(coalesce(
            {%- if codes %}
            case b.source_relation
                {%- for relation, code in codes.items() %}
                when {{ dbt.string_literal(relation) }} then {{ dbt.string_literal(code) }}
                {%- endfor %}
            end,
            {%- endif %}
            {{ dbt.string_literal(entity) if entity else 'cast(null as ' ~ dbt.type_string() ~ ')' }},
            o.short_code
        )) as legal_entity_code,
        o.country_code,
        b.base_currency_code,
        o.modified_at,
        o._source_file,
        o._source_row,
        o._loaded_at
    from {{ ref('int_xero__base_currency') }} as b
    left join organisations as o on o.source_relation = b.source_relation and o.recency = 1
),

parent as (
    select max(subsidiary_id) as subsidiary_id
    from resolved
    where base_currency_code = {{ dbt.string_literal(var('reporting_currency')) }}
    having count(*) = 1 and (select count(every_organisation.subsidiary_id) from resolved as every_organisation) > 1
)

select
    r.*,
    case when r.subsidiary_id <> p.subsidiary_id then p.subsidiary_id end as parent_subsidiary_id
from resolved as r
left join parent as p on 1 = 1
