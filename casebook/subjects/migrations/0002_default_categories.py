"""The default categories of regulation article 二, each with its legal basis and cycles, and
the inspection checklists of the three place categories. Administrators may change them."""

from django.db import migrations

CATEGORIES = [
    # code, kind, name, name_en, legal basis, review days, visit days, retention, description
    ("prior_offender", "person", "有违法犯罪前科人员", "Person with prior offences",
     "《中华人民共和国人民警察法》第六条；《中华人民共和国社区矫正法》；公安部重点人员动态管控规定",
     365, 90, "long", "跟踪其日常活动轨迹、交往人员、经济状况，了解是否有再次违法犯罪的迹象。"),
    ("drug_involved", "person", "涉毒人员", "Drug-involved person",
     "《中华人民共和国禁毒法》第三十一条至第四十八条；《戒毒条例》；吸毒人员动态管控工作规定",
     180, 30, "standard", "掌握其戒毒情况、毒品使用情况、活动范围，防止复吸和从事涉毒违法活动。"),
    ("threat_of_violence", "person", "扬言报复社会人员", "Person who threatened violence",
     "《中华人民共和国治安管理处罚法》第四十二条；《中华人民共和国人民警察法》第六条、第二十一条",
     90, 14, "standard", "密切跟踪其言行举止，评估其现实危险性，采取相应的防范措施。"),
    ("entertainment_venue", "place", "娱乐场所", "Entertainment venue",
     "《娱乐场所管理条例》；《娱乐场所治安管理办法》；《中华人民共和国消防法》",
     365, 30, "standard", "检查经营活动是否合法合规，是否存在黄赌毒等违法犯罪行为，以及消防安全情况。"),
    ("internet_cafe", "place", "网吧", "Internet café",
     "《互联网上网服务营业场所管理条例》", 365, 90, "standard",
     "监督实名制登记情况，是否接纳未成年人上网，是否存在传播有害信息等问题。"),
    ("hazchem_unit", "place", "危险化学品生产经营单位", "Hazardous-chemicals unit",
     "《危险化学品安全管理条例》；《中华人民共和国安全生产法》", 365, 30, "standard",
     "跟踪生产、储存、运输、使用等环节的安全管理情况，防止发生安全事故。"),
    ("mass_incident", "incident", "群体性事件", "Mass incident",
     "《中华人民共和国突发事件应对法》；《中华人民共和国人民警察法》第八条", 30, 7, "long",
     "及时了解事件的起因、发展动态、参与人员等情况，为妥善处置提供信息支持。"),
    ("disaster", "incident", "自然灾害、事故灾难", "Disaster or accident",
     "《中华人民共和国突发事件应对法》；《生产安全事故应急条例》", 30, 7, "long",
     "跟踪灾害事故的发展态势，协助相关部门做好抢险救援、人员安置等工作。"),
]
IMPACT = {
    "prior_offender": "处理犯罪记录（敏感个人信息，《个人信息保护法》第二十八条）：仅限履行法定职责所必需，按站点范围授权访问，每次查阅记录用途。",
    "drug_involved": "处理戒毒、检测信息（敏感个人信息，涉及医疗健康）：仅限禁毒法定职责，字段加密，查阅须说明用途。",
    "threat_of_violence": "处理行为与风险评估信息：事实与评估分开记录，风险等级须人工确认。",
    "entertainment_venue": "处理经营单位及经营者信息、检查结果：限于治安管理职责，经营者个人信息按站点范围授权访问。",
    "internet_cafe": "处理经营单位及经营者信息、实名登记检查结果：不采集上网人员个人信息，检查记录限于治安管理职责。",
    "hazchem_unit": "处理单位、许可与储存运输检查信息：以单位信息为主，安全管理人员个人信息限于联系必需。",
    "mass_incident": "处理事件经过及参与人员信息：只记录行为事实，不以合法诉求为风险，参与人员信息随事件按保存期限销毁。",
    "disaster": "处理灾害事故及救援安置信息：受影响人员信息限于救援安置所必需，按保存期限销毁。",
}
CHECKLISTS = {
    "entertainment_venue": [
        ("证照", "《娱乐场所经营许可证》在有效期内", "Entertainment licence valid"),
        ("证照", "营业执照登记内容与实际经营一致", "Business licence matches the actual business"),
        ("证照", "从业人员名簿登记齐全", "Staff register complete"),
        ("黄赌毒", "未发现卖淫嫖娼迹象", "No sign of prostitution"),
        ("黄赌毒", "未发现赌博设施或赌博活动", "No gambling equipment or activity"),
        ("黄赌毒", "未发现涉毒迹象", "No sign of drugs"),
        ("黄赌毒", "未接纳未成年人", "No minors admitted"),
        ("消防安全", "疏散通道、安全出口畅通", "Escape routes and exits clear"),
        ("消防安全", "消防设施、器材完好有效", "Fire equipment in working order"),
        ("消防安全", "应急照明和疏散指示标志完好", "Emergency lighting and exit signs working"),
    ],
    "internet_cafe": [
        ("实名登记", "上网人员身份核验系统正常运行", "Real-name registration system working"),
        ("实名登记", "登记信息与实际上网人员一致", "Registrations match the people online"),
        ("未成年人", "未接纳未成年人上网", "No minors admitted"),
        ("未成年人", "入口处设置“未成年人禁止入内”标志", "'No minors' sign at the entrance"),
        ("有害信息", "安全管理技术措施已安装并运行", "Content-control measures installed and running"),
        ("有害信息", "未发现传播有害信息", "No harmful content being spread"),
        ("营业", "营业时间符合规定（8时至24时）", "Opening hours within 08:00–24:00"),
    ],
    "hazchem_unit": [
        ("许可", "危险化学品生产、经营或使用许可证有效", "Hazardous-chemicals permits valid"),
        ("安全员", "配备专职安全管理人员并持证上岗", "Certified full-time safety officer appointed"),
        ("生产", "生产装置和安全设施完好", "Production plant and safety equipment sound"),
        ("储存", "专用仓库储存、专人管理", "Stored in a dedicated store under a named keeper"),
        ("储存", "库存数量与台账一致", "Stock matches the ledger"),
        ("储存", "剧毒化学品双人收发、双人保管", "Toxic chemicals under two-person control"),
        ("运输", "运输车辆和人员具备相应资质", "Transport vehicles and drivers licensed"),
        ("运输", "运输、装卸记录完整", "Transport and loading records complete"),
        ("使用", "使用登记记录完整", "Use register complete"),
    ],
}


def forward(apps, schema_editor):
    Category = apps.get_model("subjects", "Category")
    ChecklistItem = apps.get_model("subjects", "ChecklistItem")
    for code, kind, name, name_en, basis, review, visit, retention, desc in CATEGORIES:
        category, created = Category.objects.get_or_create(code=code, defaults={
            "kind": kind, "name": name, "name_en": name_en, "legal_basis": basis,
            "review_cycle_days": review, "visit_cycle_days": visit,
            "retention_class": retention, "description": desc,
            "impact_assessment": IMPACT.get(code, "")})
        if created:
            for order, (section, text, text_en) in enumerate(CHECKLISTS.get(code, []), start=1):
                ChecklistItem.objects.create(category=category, section=section, text=text,
                                             text_en=text_en, order=order)


def reverse(apps, schema_editor):
    apps.get_model("subjects", "Category").objects.filter(
        code__in=[c[0] for c in CATEGORIES], subjects__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("subjects", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
