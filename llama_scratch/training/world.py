"""The small world the generated corpus describes: animals and their facts, in English and Chinese.

Data only. Every animal has four facts (what it eats, where it lives, its colour, what it can do); the corpus states
them in several sentence shapes and asks about most of them in question/answer form, holding some questions out
(the probes). Names and objects for the in-context stories ("Mia has a red kite. ... Mia's kite is red.") are here
too.
"""

from __future__ import annotations

ATTRIBUTES = ("food", "home", "color", "ability")

# animal: (food, home, color, ability), English.
ANIMALS_EN = {
    "llama": ("grass", "the mountains", "brown", "carry bags"),
    "camel": ("leaves", "the desert", "yellow", "walk far"),
    "horse": ("carrots", "the barn", "black", "run fast"),
    "sheep": ("grass", "the barn", "white", "jump"),
    "goat": ("leaves", "the mountains", "grey", "climb rocks"),
    "rabbit": ("carrots", "the meadow", "white", "dig holes"),
    "fox": ("mice", "the forest", "red", "dig holes"),
    "wolf": ("meat", "the forest", "grey", "run fast"),
    "bear": ("honey", "the forest", "brown", "climb trees"),
    "panda": ("bamboo", "the mountains", "black and white", "climb trees"),
    "owl": ("mice", "the forest", "brown", "fly"),
    "eagle": ("fish", "the mountains", "brown", "fly"),
    "duck": ("seeds", "the river", "green", "swim"),
    "frog": ("insects", "the river", "green", "jump"),
    "penguin": ("fish", "Antarctica", "black and white", "swim"),
    "cat": ("fish", "the house", "orange", "climb trees"),
    "dog": ("meat", "the house", "black", "run fast"),
    "mouse": ("seeds", "the barn", "grey", "hide"),
    "monkey": ("fruit", "the jungle", "brown", "climb trees"),
    "tiger": ("meat", "the jungle", "orange", "swim"),
    "lion": ("meat", "the grassland", "golden", "run fast"),
    "zebra": ("grass", "the grassland", "black and white", "run fast"),
    "parrot": ("fruit", "the jungle", "green", "talk"),
    "seal": ("fish", "the sea", "grey", "swim"),
}

# The same animals in Chinese (a subset), with their facts in Chinese.
ANIMALS_ZH = {
    "llama": ("羊驼", ("草", "山上", "棕色", "背东西")),
    "camel": ("骆驼", ("树叶", "沙漠里", "黄色", "走很远的路")),
    "horse": ("马", ("胡萝卜", "农场里", "黑色", "跑得很快")),
    "sheep": ("绵羊", ("草", "农场里", "白色", "跳")),
    "rabbit": ("兔子", ("胡萝卜", "草地上", "白色", "挖洞")),
    "fox": ("狐狸", ("老鼠", "森林里", "红色", "挖洞")),
    "bear": ("熊", ("蜂蜜", "森林里", "棕色", "爬树")),
    "panda": ("熊猫", ("竹子", "山上", "黑白色", "爬树")),
    "owl": ("猫头鹰", ("老鼠", "森林里", "棕色", "飞")),
    "duck": ("鸭子", ("种子", "河边", "绿色", "游泳")),
    "frog": ("青蛙", ("虫子", "河边", "绿色", "跳")),
    "penguin": ("企鹅", ("鱼", "冰上", "黑白色", "游泳")),
    "cat": ("猫", ("鱼", "家里", "橙色", "爬树")),
    "monkey": ("猴子", ("水果", "丛林里", "棕色", "爬树")),
    "tiger": ("老虎", ("肉", "丛林里", "橙色", "游泳")),
    "seal": ("海豹", ("鱼", "海里", "灰色", "游泳")),
}

# Sentence shapes. {a} is the animal; {food} {home} {color} {ability} its facts.
STATEMENTS_EN = {
    "food": "The {a} eats {food}.",
    "home": "The {a} lives in {home}.",
    "color": "The {a} is {color}.",
    "ability": "The {a} can {ability}.",
}
# The second fact comes several tokens after the animal's name: predicting it needs that name.
LONG_RANGE_EN = (
    "The {a}, which lives in {home}, eats {food}.",
    "The {a}, which is {color}, can {ability}.",
    "The {a}, which eats {food}, lives in {home}.",
    "The {a} lives in {home}. It eats {food}.",
    "The {a} is {color}. It can {ability}.",
)
QUESTIONS_EN = {
    "food": "Q: What does the {a} eat?\nA:",
    "home": "Q: Where does the {a} live?\nA:",
    "color": "Q: What color is the {a}?\nA:",
    "ability": "Q: What can the {a} do?\nA:",
}
STATEMENTS_ZH = {
    "food": "{a}吃{food}。",
    "home": "{a}住在{home}。",
    "color": "{a}是{color}的。",
    "ability": "{a}会{ability}。",
}
LONG_RANGE_ZH = (
    "{a}住在{home}，它吃{food}。",
    "{a}是{color}的，它会{ability}。",
    "{a}吃{food}，它住在{home}。",
)
QUESTIONS_ZH = {
    "food": "问：{a}吃什么？\n答：",
    "home": "问：{a}住在哪里？\n答：",
    "color": "问：{a}是什么颜色的？\n答：",
    "ability": "问：{a}会做什么？\n答：",
}

# In-context stories: who has which object of which colour is made up anew in every story.
NAMES_EN = ("Mia", "Tom", "Ana", "Ben", "Lily", "Sam", "Zoe", "Max", "Eva", "Leo", "Ivy", "Dan")
OBJECTS_EN = ("kite", "ball", "hat", "cup", "boat", "book", "bike", "box")
COLORS_EN = ("red", "blue", "green", "yellow", "white", "black", "pink", "purple")
NAMES_ZH = ("小明", "小红", "小刚", "小丽", "小东", "小兰")
OBJECTS_ZH = ("风筝", "皮球", "帽子", "杯子", "小船", "书包")
COLORS_ZH = ("红色", "蓝色", "绿色", "黄色", "白色", "黑色")
