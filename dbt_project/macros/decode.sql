{#- Vendor code decoders used by staging. Unknown codes fall through as lower-cased text (never dropped),
    so a new code shows up in the data rather than as a NULL. -#}

{#- NetSuite transaction type codes -> canonical transaction_type. -#}
{% macro decode_netsuite_transaction_type(expr) -%}
    case trim({{ expr }})
        when 'SalesOrd' then 'sales_order'
        when 'CustInvc' then 'invoice'
        when 'CustCred' then 'credit_memo'
        when 'CustPymt' then 'payment'
        when 'CustDep' then 'customer_deposit'
        when 'CustRfnd' then 'customer_refund'
        when 'VendBill' then 'vendor_bill'
        when 'VendCred' then 'vendor_credit'
        when 'VendPymt' then 'vendor_payment'
        when 'Journal' then 'journal'
        when 'FxReval' then 'fx_revaluation'
        else lower(trim({{ expr }}))
    end
{%- endmacro %}

{#- NetSuite transaction status letters (A/B/C/V) -> canonical status. -#}
{% macro decode_netsuite_transaction_status(expr) -%}
    case upper(trim({{ expr }}))
        when 'A' then 'open'
        when 'B' then 'paid_in_full'
        when 'C' then 'closed'
        when 'V' then 'voided'
        else lower(trim({{ expr }}))
    end
{%- endmacro %}

{#- NetSuite document link types -> canonical link_type. -#}
{% macro decode_netsuite_link_type(expr) -%}
    case trim({{ expr }})
        when 'Payment' then 'payment'
        when 'CreditMemoApplication' then 'credit_memo_application'
        else lower(trim({{ expr }}))
    end
{%- endmacro %}

{#- NetSuite account types -> canonical account_type. -#}
{% macro decode_netsuite_account_type(expr) -%}
    case trim({{ expr }})
        when 'Bank' then 'bank'
        when 'AcctRec' then 'accounts_receivable'
        when 'UnbilledRec' then 'unbilled_receivable'
        when 'OthCurrAsset' then 'other_current_asset'
        when 'FixedAsset' then 'fixed_asset'
        when 'AcctPay' then 'accounts_payable'
        when 'DeferRevenue' then 'deferred_revenue'
        when 'OthCurrLiab' then 'other_current_liability'
        when 'Income' then 'income'
        when 'OthIncome' then 'other_income'
        when 'COGS' then 'cost_of_goods_sold'
        when 'Expense' then 'expense'
        when 'OthExpense' then 'other_expense'
        when 'Equity' then 'equity'
        else lower(trim({{ expr }}))
    end
{%- endmacro %}

{#- Commercial model codes from any system (TM/FF/MS/RT, "Time & Materials", "fixed_fee", ...) ->
    time_and_materials / fixed_fee / milestone / retainer / non_billable. -#}
{% macro decode_contract_type(expr) -%}
    case {{ throughline.regex_replace_all('lower(trim(' ~ expr ~ '))', '[^a-z]', '') }}
        when 'tm' then 'time_and_materials'
        when 'timematerials' then 'time_and_materials'
        when 'timeandmaterials' then 'time_and_materials'
        when 'ff' then 'fixed_fee'
        when 'fixedfee' then 'fixed_fee'
        when 'fixedprice' then 'fixed_fee'
        when 'ms' then 'milestone'
        when 'milestone' then 'milestone'
        when 'milestones' then 'milestone'
        when 'rt' then 'retainer'
        when 'retainer' then 'retainer'
        when 'nonbillable' then 'non_billable'
        when 'internal' then 'non_billable'
        else nullif(lower(trim({{ expr }})), '')
    end
{%- endmacro %}

{#- Salesforce stage name -> open / won / lost (Closed Won / Closed Lost; everything else is open). -#}
{% macro decode_salesforce_stage_category(stage_expr) -%}
    case
        when lower(trim({{ stage_expr }})) = 'closed won' then 'won'
        when lower(trim({{ stage_expr }})) = 'closed lost' then 'lost'
        else 'open'
    end
{%- endmacro %}
