-- Service lines conformed across NetSuite classes, PSA practices and Salesforce product families
-- (int_service_lines_unioned), plus an unknown member.
select
    service_line_key,
    service_line_name,
    erp_class_id,
    is_in_erp,
    is_in_psa,
    is_in_crm,
    false as is_unknown
from {{ ref('int_service_lines_unioned') }}

union all

select '-1', 'Unknown', null, false, false, false, true
