"""Custom actions of the shop assistant 小悦 (悦己生活小铺).

Thin Rasa action classes over a small service layer.

Service layer (no Rasa imports)
  shop_data.py          reads shop/catalog.yml, policy.yml, orders.yml (cached; $SHOP_DIR)
  store.py              OrderStore: the SQLite order database ($SHOP_DB, var/shop.db)
  timeutil.py           the clock and the Chinese date formats
  products.py           product facts and size recommendation
  after_sales_rules.py  after-sales decisions for returns, logistics and quality

Actions
  session.py            action_session_start
  product_actions.py    action_product_answer, validate_size_form, action_recommend_size
  order_form.py         validate_order_form (and order-number parsing)
  followup.py           action_order_followup: returns, logistics and quality (see there)
  inform.py             action_inform
  service.py            action_handoff, action_unrecognised
  common.py             helpers the actions share

Every text the customer sees is a response in domain.yml; the actions choose the
response and fill its {variables}.
"""
