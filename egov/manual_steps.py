"""The manual and the video guide: one list of steps for the page, the pictures and the captions.

tests/browser/test_walkthrough.py walks these steps in the browser and, when asked
(`make guide`, `make video`), saves a picture of each under egov/static/guide/;
the manual page shows them and the video's WebVTT captions are their texts.
"""
import math
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

VIDEO = "guide/journey.webm"
POSTER = "guide/poster.jpg"
# The visible text of each step's page when its picture was taken (digits and month names
# left out, since the demo's dates move): the suite compares it with the pages of today.
DIGESTS = "guide/digests.json"
WORDS_PER_SECOND = 2.5  # a comfortable reading pace for captions


@dataclass(frozen=True)
class Step:
    key: str  # the picture's file name: guide/<key>.png
    title: str
    text: str
    alt: str  # what the picture shows, for those who cannot see it

    @property
    def picture(self):
        return f"guide/{self.key}.png"

    @property
    def seconds(self):
        """How long the video shows this step: long enough to read its caption."""
        words = len(str(self.title).split()) + len(str(self.text).split())
        return max(5, math.ceil(words / WORDS_PER_SECOND))


STEPS = (
    Step("1-giris", _l("Portala daxil olun"),
         _l("Səhifənin yuxarısında «Giriş» düyməsini basın. Dörd giriş vasitəsindən birini "
            "seçin; «Necə əldə etməli?» hər vasitəni necə əldə edəcəyinizi izah edir. "
            "İstifadəçi adınızı və şifrənizi yazıb «Daxil ol» düyməsini basın."),
         _l("Portala giriş səhifəsi: elektron imza, e-gov identity, asan imza və istifadəçi "
            "adı ilə şifrə kartları; sonuncuda istifadəçi adı və şifrə xanaları, «Daxil ol» "
            "düyməsi.")),
    Step("2-butun-xidmetler", _l("«Bütün xidmətlər» bölməsini açın"),
         _l("Yuxarıdakı «E-xidmətlər» menyusunda «Bütün xidmətlər» seçin: qurumlar və "
            "onların xidmətlərinin sayı göstərilir."),
         _l("«Bütün xidmətlər» səhifəsi: nazirliklərin siyahısı, hər birinin yanında "
            "xidmətlərinin sayı.")),
    Step("3-nazirlik", _l("Nazirliyi seçin"),
         _l("«Nəqliyyat, Rabitə və Yüksək Texnologiyalar Nazirliyi» sətrini basın: "
            "nazirliyin xidmətləri elə oradaca açılır. «Cari ay ərzində aparılmış "
            "şəhərlərarası və beynəlxalq danışıqlar üzrə məlumat» xidmətini seçin."),
         _l("Nazirliyin sətri açıq, altında onun xidmətləri; danışıqlar üzrə məlumat "
            "xidmətinin keçidi görünür.")),
    Step("4-hesabat", _l("Zənglərinizə baxın"),
         _l("Adınıza qeydiyyatda olan telefon nömrəsi və bu ay ondan aparılmış "
            "şəhərlərarası və beynəlxalq danışıqlar göstərilir: tarix, vaxt, müddət, "
            "nömrə, məbləğ və ödəniş işarəsi; altında ödənilməmiş, ödənilmiş və cəmi "
            "məbləğ. Bir neçə nömrəniz varsa, siyahıdan birini seçin. Cədvəli CSV və ya "
            "PDF kimi yükləyə, brauzerin çap əmri ilə A4 vərəqinə çap edə bilərsiniz."),
         _l("Hesabat səhifəsi: alətlər paneli (Əks əlaqə, Video təlimat, İstifadə "
            "Təlimatı, Reklamasiya, İstifadə sayı), «Bildiriş!», telefon nömrəsi və "
            "zənglər cədvəli, altında üç yekun sətri və CSV, PDF keçidləri.")),
    Step("5-reklamasiya", _l("Məbləğə etiraz edin (Reklamasiya)"),
         _l("Məbləği ilə razı olmadığınız zəng varsa, «Reklamasiya» düyməsini basın, "
            "cədvəldə həmin zəngləri seçin, səbəbini yazın və göndərin. Reklamasiyanız "
            "nömrə alır; vəziyyətini və operatorun cavabını «Mənim reklamasiyalarım» "
            "bölməsində görəcəksiniz. Təmin edilərsə, cədvəldə düzəldilmiş məbləğ göstərilir."),
         _l("Reklamasiya forması: hər zəngin yanında seçim qutusu, altında səbəb xanası "
            "və «Reklamasiyanı göndər» düyməsi.")),
    Step("6-eks-elaqe", _l("Fikrinizi bildirin (Əks əlaqə)"),
         _l("«Əks əlaqə» düyməsi elə həmin səhifədə qısa forma açır: xidməti 1-dən 5-ə "
            "qədər qiymətləndirin, fikrinizi yazıb göndərin."),
         _l("Hesabatın altında açılmış əks əlaqə forması: 1-dən 5-ə qədər qiymət seçimi, "
            "fikir xanası və «Göndər» düyməsi.")),
)


def timeline():
    """(step, start second, end second) of each step in the video."""
    start = 0
    for step in STEPS:
        yield step, start, start + step.seconds
        start += step.seconds


def _vtt_time(seconds):
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.000"


def captions_vtt():
    """The video's captions (WebVTT): each step's title, one short line at the foot of the
    frame, where each picture leaves room under what it explains (the walkthrough frames
    it so); the step's full text is on the manual page."""
    cues = [f"{_vtt_time(start)} --> {_vtt_time(end)}\n{step.title}"
            for step, start, end in timeline()]
    return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"
