-- Xero's chart of accounts as the canonical ERP accounts (the columns of stg_netsuite__accounts). Xero account
-- types decoded to the canonical ones; the receivable control account is the one with system account DEBTORS
-- or code var xero_ar_account_code (Xero files it as CURRENT), the payable one CREDITORS. Xero has no account
-- hierarchy, summary accounts or rate types: nulls (the IAS 21 rule picks the rate by account type). One account
-- per code across organisations (int_xero__shared_records): the other organisations' copies are left out, their
-- lines point at the kept one.
select
    account_id,
    account_code as account_number,
    account_name,
    account_type as account_type_code,
    case
        when system_account = 'DEBTORS' or account_code = {{ dbt.string_literal(var('xero_ar_account_code')) }}
            then 'accounts_receivable'
        when system_account = 'CREDITORS' then 'accounts_payable'
        when account_type = 'BANK' then 'bank'
        when account_type in ('CURRENT', 'INVENTORY', 'PREPAYMENT') then 'other_current_asset'
        when account_type in ('FIXED', 'NONCURRENT') then 'fixed_asset'
        when account_type = 'CURRLIAB' then 'other_current_liability'
        when account_type in ('LIABILITY', 'TERMLIAB') then 'long_term_liability'
        when account_type = 'EQUITY' then 'equity'
        when account_type in ('REVENUE', 'SALES') then 'income'
        when account_type = 'OTHERINCOME' then 'other_income'
        when account_type = 'DIRECTCOSTS' then 'cost_of_goods_sold'
        when account_type in ('EXPENSE', 'OVERHEADS', 'DEPRECIATN') then 'expense'
        else lower(account_type)
    end as account_type,
    system_account as special_account_type,
    cast(null as {{ dbt.type_string() }}) as general_rate_type,
    false as is_eliminated,
    false as is_summary,
    coalesce(account_status = 'ARCHIVED', false) as is_inactive,
    cast(null as {{ dbt.type_string() }}) as parent_account_id,
    cast(modified_at as {{ dbt.type_timestamp() }}) as modified_at,
    'xero' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from {{ ref('stg_xero__accounts') }}
where account_id not in (
    select r.record_id from {{ ref('int_xero__shared_records') }} as r
    where r.record_type = 'account' and r.canonical_id <> r.record_id
)
