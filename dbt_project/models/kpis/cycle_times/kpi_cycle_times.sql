{#- Project activation cycle time (cycle v1, docs/metrics.md; domain reference §6.1, §10): one row per PSA
    project (the unknown member excluded) with its three events and the days between them:
      won date    = first time the linked deal's stage became Closed Won (stage history, fct_opportunities
                    .first_won_at); the opportunity close_date only when no Closed Won history row exists
                    (flagged: users back-date CloseDate);
      active date = PSA start_date of a project whose status says it has gone live (var
                    cycle_time_active_project_statuses); null while it is planned;
      first time  = earliest spent_date of an approved time entry (fct_time_entries).
    activation_days = first time - won date. Negative values are kept and flagged (work or go-live before
    the win: at-risk starts). A project linked to several won deals takes the earliest win; a project with
    no won deal has null won-based days and is_without_won_deal. is_start_date_before_win also catches a
    planned (not yet live) project scheduled to start before the win. -#}

with projects as (
    select * from {{ ref('dim_project') }}
    where not is_unknown
),

opportunities as (
    select opportunity_id, project_key, is_won, close_date, first_won_at
    from {{ ref('fct_opportunities') }}
),

-- deals linked to a project through the deal crosswalk, seen from either side
project_deals as (
    select p.project_key, o.opportunity_id
    from projects as p
    inner join opportunities as o on o.opportunity_id = p.crm_opportunity_id
    union
    select o.project_key, o.opportunity_id
    from opportunities as o
    where o.project_key <> '-1'
),

won_deals as (
    select
        pd.project_key,
        o.opportunity_id,
        o.close_date,
        o.first_won_at,
        coalesce(cast(o.first_won_at as date), o.close_date) as won_date,
        o.first_won_at is null as is_won_date_from_close_date
    from project_deals as pd
    inner join opportunities as o on o.opportunity_id = pd.opportunity_id
    where o.is_won
        and coalesce(cast(o.first_won_at as date), o.close_date) is not null
),

-- many deals -> one project: the earliest win (ties: the lowest opportunity id)
first_win as (
    select project_key, opportunity_id, close_date, first_won_at, won_date, is_won_date_from_close_date,
        won_deal_count
    from (
        select
            won_deals.*,
            row_number() over (partition by project_key order by won_date, opportunity_id) as win_rank,
            count(*) over (partition by project_key) as won_deal_count
        from won_deals
    ) as ranked
    where win_rank = 1
),

first_time as (
    select project_key, min(spent_date) as first_approved_time_date
    from {{ ref('fct_time_entries') }}
    where is_approved
    group by project_key
),

events as (
    select
        p.project_key,
        p.project_code,
        p.project_name,
        p.contract_type,
        p.project_status,
        p.client_key,
        p.contract_key,
        p.legal_entity_key,
        p.service_line_key,
        p.deal_key,
        coalesce(fw.opportunity_id, p.crm_opportunity_id) as crm_opportunity_id,
        coalesce(fw.won_deal_count, 0) as won_deal_count,
        fw.close_date as opportunity_close_date,
        fw.first_won_at as closed_won_at,
        fw.won_date,
        case when fw.won_date is null then null
            when fw.is_won_date_from_close_date then 'close_date' else 'stage_history' end as won_date_basis,
        p.start_date as project_start_date,
        case when p.project_status in {{ string_list(var('cycle_time_active_project_statuses')) }}
            then p.start_date end as project_active_date,
        ft.first_approved_time_date
    from projects as p
    left join first_win as fw on fw.project_key = p.project_key
    left join first_time as ft on ft.project_key = p.project_key
),

measured as (
    select
        events.*,
        {{ cycle_days('opportunity_close_date', 'won_date') }} as days_close_date_to_won,
        {{ cycle_days('won_date', 'project_start_date') }} as days_won_to_start,
        {{ cycle_days('won_date', 'project_active_date') }} as days_won_to_active,
        {{ cycle_days('project_active_date', 'first_approved_time_date') }} as days_active_to_first_time,
        {{ cycle_days('won_date', 'first_approved_time_date') }} as activation_days
    from events
)

select
    project_key,
    project_code,
    project_name,
    contract_type,
    project_status,
    client_key,
    contract_key,
    legal_entity_key,
    service_line_key,
    deal_key,
    crm_opportunity_id,
    cast(won_deal_count as integer) as won_deal_count,
    opportunity_close_date,
    closed_won_at,
    won_date,
    won_date_basis,
    project_start_date,
    project_active_date,
    first_approved_time_date,
    cast({{ dbt.date_trunc('month', 'first_approved_time_date') }} as date) as activation_month_start_date,
    cast(days_close_date_to_won as integer) as days_close_date_to_won,
    cast(days_won_to_start as integer) as days_won_to_start,
    cast(days_won_to_active as integer) as days_won_to_active,
    cast(days_active_to_first_time as integer) as days_active_to_first_time,
    cast(activation_days as integer) as activation_days,
    won_date is null as is_without_won_deal,
    coalesce(won_date_basis = 'close_date', false) as is_won_date_from_close_date,
    coalesce(days_close_date_to_won > 0, false) as is_close_date_back_dated,
    coalesce(days_won_to_start < 0, false) as is_start_date_before_win,
    coalesce(days_won_to_active < 0, false) as is_active_before_win,
    coalesce(activation_days < 0, false) as is_time_before_win,
    coalesce(days_won_to_active < 0 or activation_days < 0, false) as is_started_before_win,
    {{ kpi_definition_version('cycle_times') }} as definition_version
from measured
