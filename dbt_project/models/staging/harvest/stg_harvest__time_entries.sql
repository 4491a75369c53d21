-- Detailed Harvest time entries with their references unpacked.
with source as (
    select * from {{ source('harvest', 'time_entries') }}
)

select
    {{ id_str('id') }} as time_entry_id,
    spent_date,
    {{ adapter.quote('hours') }} as hours,
    rounded_hours,
    {{ id_str(throughline.json_field(adapter.quote('user'), 'id')) }} as user_id,
    {{ id_str(throughline.json_field('client', 'id')) }} as client_id,
    {{ code_str(throughline.json_field('client', 'currency')) }} as currency_code,
    {{ id_str(throughline.json_field('project', 'id')) }} as project_id,
    {{ id_str(throughline.json_field('task', 'id')) }} as task_id,
    {{ label_str(throughline.json_field('task', 'name')) }} as task_name,
    {{ id_str(throughline.json_field('user_assignment', 'id')) }} as user_assignment_id,
    {{ id_str(throughline.json_field('task_assignment', 'id')) }} as task_assignment_id,
    {{ id_str(throughline.json_field('invoice', 'id')) }} as harvest_invoice_id,
    notes,
    is_locked,
    locked_reason,
    is_closed,
    is_billed,
    is_running,
    billable as is_billable,
    billable_rate as bill_rate,
    cost_rate,
    created_at,
    updated_at as modified_at,
    'harvest' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
