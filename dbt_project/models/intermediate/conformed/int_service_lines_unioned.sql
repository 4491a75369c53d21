{#- One row per conformed service line: the names of NetSuite classes, PSA practices' service lines and
    CRM product families (int_crm__products) unioned and keyed by macro service_line_key
    ("Data & AI" -> "data_ai").
    The display name comes from the highest-priority system (NetSuite, then PSA, then the CRM); flags
    say which systems know it. dim_service_line adds the unknown member '-1'; intermediate models read
    this model, never the dim. -#}

with names as (
    select class_name as service_line_name, class_id as erp_class_id, 1 as priority
    from {{ throughline.erp_input('classes') }}
    union all
    select service_line_name, cast(null as {{ dbt.type_string() }}), 2
    from {{ throughline.psa_input('practices') }}
    union all
    select service_line_name, cast(null as {{ dbt.type_string() }}), 3
    from {{ ref('int_crm__products') }}
),

keyed as (
    select {{ service_line_key('service_line_name') }} as service_line_key, service_line_name, erp_class_id,
        priority
    from names
    where service_line_name is not null
),

ranked as (
    select keyed.*,
        row_number() over (partition by service_line_key order by priority, erp_class_id) as rn,
        max(case when priority = 2 then 1 else 0 end) over (partition by service_line_key) as in_psa,
        max(case when priority = 3 then 1 else 0 end) over (partition by service_line_key) as in_crm,
        max(erp_class_id) over (partition by service_line_key) as any_erp_class_id
    from keyed
    where service_line_key is not null
)

select
    service_line_key,
    service_line_name,
    any_erp_class_id as erp_class_id,
    any_erp_class_id is not null as is_in_erp,
    in_psa = 1 as is_in_psa,
    in_crm = 1 as is_in_crm
from ranked
where rn = 1
