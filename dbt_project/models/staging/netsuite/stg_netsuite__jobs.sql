-- NetSuite projects (ERP side of the project), one per contract.
with source as (
    select * from {{ source('netsuite', 'job') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as job_id,
    entityid as job_number,
    companyname as job_name,
    {{ id_str('customer') }} as customer_id,
    {{ id_str('subsidiary') }} as subsidiary_id,
    {{ id_str(adapter.quote('currency')) }} as currency_id,
    startdate as start_date,
    projectedenddate as projected_end_date,
    enddate as end_date,
    jobbillingtype as contract_type_code,
    {{ decode_contract_type('jobbillingtype') }} as contract_type,
    {{ label_str('entitystatus') }} as job_status,
    estimatedrevenue as estimated_revenue,
    estimatedcost as estimated_cost,
    {{ id_str('projectmanager') }} as project_manager_employee_id,
    {{ id_str('custentity_psa_project_id') }} as psa_project_id,
    {{ id_str('custentity_sf_opportunity_id') }} as crm_opportunity_id,
    isinactive as is_inactive,
    datecreated as created_at,
    lastmodifieddate as modified_at,
    'netsuite' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
