"""Notebook 05 (attention and GQA): its example prompt, a short story whose last words repeat earlier ones."""

STRINGS = {
    "nb05.prompt": {"en": "Today, Mia has a red kite. Tom has a blue boat. Tom's boat is blue. Mia's kite is red.",
                    "zh": "小明有一个红色的风筝。小红有一个蓝色的小船。小红的小船是蓝色的。小明的风筝是红色的。"},
}
