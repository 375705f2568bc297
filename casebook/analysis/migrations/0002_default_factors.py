"""Assessment schemes of the default categories: risk factors add their weight, protective
factors subtract theirs. Administrators may change them."""

from django.db import migrations

R, P = "risk", "protective"
FACTORS = {
    "threat_of_violence": [
        (R, "威胁具体明确", "Specific threat", "扬言内容具体：对象、时间、地点或手段明确", 5),
        (R, "具备实施条件", "Access to means", "能够获得凶器、爆炸物或其他实施手段", 4),
        (R, "近期言行升级", "Recent escalation", "言行频率或激烈程度近期明显上升", 4),
        (R, "怨恨明确", "Grievance", "对特定单位或人员有明确、持续的怨恨", 3),
        (R, "言语过激", "Heated words", "近期有辱骂或过激言语，但未作具体威胁", 2),
        (P, "住所稳定", "Stable housing", "有固定住所", 2),
        (P, "有稳定工作", "Work", "有稳定工作或收入", 2),
        (P, "家庭支持", "Family support", "家属配合稳控、关系良好", 2),
    ],
    "drug_involved": [
        (R, "近期检测阳性", "Recent positive test", "最近一次毒品检测结果为阳性", 5),
        (R, "脱离管控", "Out of supervision", "未按规定报到或参加社区戒毒康复", 4),
        (R, "与涉毒人员交往", "Drug-involved associates", "与吸贩毒人员有往来", 3),
        (P, "按时参加戒毒康复", "Treatment engagement", "按时报到、检测、参加康复", 3),
        (P, "家庭支持", "Family support", "家属配合监督", 2),
        (P, "有稳定工作", "Work", "有稳定工作", 2),
    ],
    "prior_offender": [
        (R, "有再犯迹象", "Signs of reoffending", "出现与原犯罪相似的行为或准备行为", 5),
        (R, "违反矫正规定", "Breach of supervision", "违反社区矫正或监管规定", 4),
        (R, "与前科人员频繁交往", "Offender associates", "与其他违法犯罪前科人员频繁接触", 3),
        (P, "有稳定工作", "Work", "有稳定工作或收入", 2),
        (P, "家庭支持", "Family support", "家庭关系稳定、家属配合", 2),
        (P, "遵守矫正规定", "Compliance", "按规定报到、遵守矫正要求", 2),
    ],
    "entertainment_venue": [
        (R, "发现黄赌毒迹象", "Signs of vice", "检查或举报发现卖淫、赌博、涉毒迹象", 5),
        (R, "消防隐患", "Fire hazards", "疏散通道堵塞、消防设施失效", 3),
        (R, "证照不全", "Licences incomplete", "证照过期、与实际经营不符", 2),
        (P, "治安制度落实", "Security rules applied", "落实巡查、登记等治安管理制度", 2),
    ],
    "internet_cafe": [
        (R, "接纳未成年人", "Minors admitted", "发现未成年人上网", 4),
        (R, "实名登记不落实", "Real-name registration failing", "身份核验系统未运行或人证不符", 3),
        (R, "传播有害信息", "Harmful content", "发现传播有害信息", 4),
        (P, "整改及时", "Prompt rectification", "以往问题按期整改", 2),
    ],
    "hazchem_unit": [
        (R, "储存不规范", "Improper storage", "超量储存、混存或台账不符", 5),
        (R, "运输资质缺失", "Transport unlicensed", "运输车辆或人员无资质", 4),
        (R, "许可证过期", "Permit expired", "生产、经营或使用许可证过期", 3),
        (P, "专职安全员在岗", "Safety officer on duty", "配备持证专职安全管理人员", 2),
    ],
    "mass_incident": [
        (R, "有组织策划", "Organised", "有组织者、串联或预谋", 5),
        (R, "参与人数多", "Many participants", "参与人数多或持续增加", 4),
        (R, "情绪激烈", "Heated", "出现过激言行、冲突", 4),
        (P, "诉求已回应", "Demands answered", "相关部门已回应诉求", 3),
    ],
    "disaster": [
        (R, "次生灾害风险", "Secondary hazards", "可能引发次生灾害", 5),
        (R, "受影响人数多", "Many affected", "受影响人员多", 4),
        (P, "救援力量到位", "Rescue in place", "救援和安置力量已到位", 3),
    ],
}


def forward(apps, schema_editor):
    Category = apps.get_model("subjects", "Category")
    RiskFactor = apps.get_model("analysis", "RiskFactor")
    for code, rows in FACTORS.items():
        category = Category.objects.filter(code=code).first()
        if category is None or RiskFactor.objects.filter(category=category).exists():
            continue
        for order, (kind, name, name_en, description, weight) in enumerate(rows, start=1):
            RiskFactor.objects.create(category=category, kind=kind, name=name, name_en=name_en,
                                      description=description, weight=weight, order=order)


def reverse(apps, schema_editor):
    apps.get_model("analysis", "RiskFactor").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("analysis", "0001_initial"), ("subjects", "0002_default_categories")]
    operations = [migrations.RunPython(forward, reverse)]
