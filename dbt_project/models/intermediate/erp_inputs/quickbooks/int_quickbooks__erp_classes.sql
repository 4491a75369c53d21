-- QuickBooks classes (service lines) as canonical classes (the columns of stg_netsuite__classes): one row per
-- canonical class (int_quickbooks__keys: the companies' shared classes are one).
with keys as (
    select * from {{ ref('int_quickbooks__keys') }} where entity = 'class'
)

select
    k.record_key as class_id,
    c.class_name,
    coalesce(c.fully_qualified_name, c.class_name) as class_full_name,
    coalesce(p.record_key, c.parent_class_id) as parent_class_id,
    not coalesce(c.is_active, true) as is_inactive,
    c.modified_at,
    'quickbooks' as source_system,
    c._source_file,
    c._source_row,
    c._loaded_at
from {{ ref('stg_quickbooks__classes') }} as c
inner join keys as k on c.source_relation = k.source_relation and c.class_id = k.source_id and k.is_primary
left join keys as p on c.source_relation = p.source_relation and c.parent_class_id = p.source_id
