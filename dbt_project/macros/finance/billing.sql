{#- Sign of a billing document (docs/model/billing.md). NetSuite lands invoice AND credit memo amounts as
    positive magnitudes (line foreignamount / netamount and header foreigntotal / taxtotal are > 0 on both
    document types; the document type carries the direction). Net billings = Σ billing_sign x amount:
    +1 for an invoice, -1 for a credit memo, NULL for any other document type. -#}
{% macro billing_sign(transaction_type_expr) -%}
    case {{ transaction_type_expr }} when 'invoice' then 1 when 'credit_memo' then -1 end
{%- endmacro %}
