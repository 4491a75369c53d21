-- QuickBooks classes (service lines) as canonical classes (the columns of stg_netsuite__classes).
select
    class_id,
    class_name,
    coalesce(fully_qualified_name, class_name) as class_full_name,
    parent_class_id,
    not coalesce(is_active, true) as is_inactive,
    modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from {{ ref('stg_quickbooks__classes') }}
