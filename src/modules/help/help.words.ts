/**
 * A way back a child can keep: five simple words instead of a 12-digit secret. The list has 256 words (in
 * Chinese, each exactly two characters, so she may type them with or without spaces; in English one plain word
 * each), so five words carry 8 × 5 = 40 bits, no fewer than 12 digits (log2 10^12 ≈ 39.9): guessing is as hard,
 * and the same per-code and per-network throttles apply (HelpService.openThread). The words are stored only as
 * the same HMAC as a digit secret, over their canonical form (`w` and the five indices); she may type them back
 * in either language.
 */
import { randomInt } from 'node:crypto';

const ZH = (
  '小猫 小狗 兔子 熊猫 老虎 狮子 大象 猴子 松鼠 小鸟 鸭子 小鸡 企鹅 海豚 鲸鱼 金鱼 乌龟 青蛙 蝴蝶 蜜蜂 ' +
  '蚂蚁 小羊 小马 奶牛 小猪 狐狸 小熊 鹦鹉 孔雀 天鹅 燕子 刺猬 考拉 袋鼠 斑马 骆驼 河马 恐龙 螃蟹 海星 ' +
  '蜗牛 瓢虫 老鹰 鸽子 仓鼠 苹果 香蕉 橙子 葡萄 西瓜 草莓 桃子 梨子 樱桃 芒果 菠萝 柠檬 椰子 蓝莓 荔枝 ' +
  '柿子 面包 米饭 面条 饺子 包子 鸡蛋 牛奶 蛋糕 饼干 糖果 冰棍 果汁 豆腐 土豆 番茄 玉米 南瓜 黄瓜 蘑菇 ' +
  '花生 月饼 汤圆 蜂蜜 太阳 月亮 星星 云朵 彩虹 雪花 雨滴 大山 小河 大海 湖水 森林 小草 花朵 大树 树叶 ' +
  '石头 沙子 贝壳 竹子 荷花 玫瑰 小岛 瀑布 山洞 草原 沙漠 冰山 微风 春天 夏天 秋天 冬天 早晨 晚上 气球 ' +
  '风筝 皮球 积木 娃娃 玩具 拼图 陀螺 滑梯 秋千 铅笔 橡皮 书包 本子 蜡笔 尺子 剪刀 胶水 图书 画笔 钢琴 ' +
  '吉他 小鼓 口琴 喇叭 铃铛 帽子 围巾 手套 袜子 鞋子 雨伞 雨衣 裙子 外套 毛衣 纽扣 口袋 杯子 碗筷 勺子 ' +
  '盘子 水壶 台灯 钟表 镜子 梳子 毛巾 枕头 被子 椅子 桌子 窗户 房门 钥匙 盒子 篮子 瓶子 蜡烛 灯笼 火车 ' +
  '汽车 轮船 飞机 公交 小船 火箭 卡车 地铁 马车 雪橇 滑板 轮子 桥梁 灯塔 城堡 房子 学校 公园 花园 农场 ' +
  '商店 医院 广场 操场 红色 黄色 蓝色 绿色 紫色 粉色 白色 黑色 金色 银色 棕色 灰色 圆圈 方块 三角 爱心 ' +
  '笑脸 唱歌 跳舞 画画 跑步 游泳 睡觉 读书 拍手 跳绳 踢球 爬山 钓鱼 野餐 魔法 宝藏 地图 相机 礼物 信封 ' +
  '邮票 硬币 王冠 翅膀 羽毛 泡泡 雪人 灯泡 仙女 龙舟 雨靴 花瓣 蝌蚪 海浪 种子 蜻蜓 '
)
  .trim()
  .split(' ');
const EN = (
  'kitten puppy rabbit panda tiger lion elephant monkey squirrel bird duck chick penguin dolphin whale ' +
  'goldfish turtle frog butterfly bee ant lamb pony cow piglet fox bear parrot peacock swan swallow ' +
  'hedgehog koala kangaroo zebra camel hippo dinosaur crab starfish snail ladybird eagle pigeon ' +
  'hamster apple banana orange grape watermelon strawberry peach pear cherry mango pineapple lemon ' +
  'coconut blueberry lychee persimmon bread rice noodles dumpling bun egg milk cake cookie candy ' +
  'popsicle juice tofu potato tomato corn pumpkin cucumber mushroom peanut mooncake riceball honey sun ' +
  'moon star cloud rainbow snowflake raindrop mountain river sea lake forest grass flower tree leaf ' +
  'stone sand shell bamboo lotus rose island waterfall cave meadow desert iceberg breeze spring summer ' +
  'autumn winter morning evening balloon kite ball blocks doll toy puzzle spinner slide swing pencil ' +
  'eraser schoolbag notebook crayon ruler scissors glue book paintbrush piano guitar drum harmonica ' +
  'trumpet bell hat scarf gloves socks shoes umbrella raincoat skirt coat sweater button pocket cup ' +
  'chopsticks spoon plate kettle lamp clock mirror comb towel pillow quilt chair table window door key ' +
  'box basket bottle candle lantern train car ship plane bus boat rocket truck subway carriage sled ' +
  'skateboard wheel bridge lighthouse castle house school park garden farm shop hospital square ' +
  'playground red yellow blue green purple pink white black gold silver brown grey circle cube ' +
  'triangle heart smile sing dance draw run swim sleep read clap skipping football climb fishing ' +
  'picnic magic treasure map camera gift envelope stamp coin crown wing feather bubble snowman bulb ' +
  'fairy dragonboat boots petal tadpole wave seed dragonfly '
)
  .trim()
  .split(' ');

/** How many words a child's secret has, and the canonical form the hash is taken over. */
export const WORD_SECRET_WORDS = 5;
export const WORD_SECRET = /^w(\.\d{1,3}){5}$/;

if (ZH.length !== 256 || EN.length !== 256 || new Set(ZH).size !== 256 || new Set(EN).size !== 256) {
  throw new Error('The child word list must have 256 distinct words in each language');
}

/** A new word secret in canonical form. */
export function makeWordSecret(): string {
  return ['w', ...Array.from({ length: WORD_SECRET_WORDS }, () => randomInt(256))].join('.');
}

/** The words of a canonical secret in her language, separated by spaces. */
export function wordsOf(canonical: string, locale: string): string {
  const list = locale === 'en' ? EN : ZH;
  return canonical
    .split('.')
    .slice(1)
    .map((i) => list[Number(i)] ?? '?')
    .join(' ');
}

/**
 * What she typed → the canonical form, when it is five words of the list (either language, any case, spaces,
 * commas or none between Chinese words); undefined otherwise (then it may be a digit secret).
 */
export function parseWordSecret(raw: string): string | undefined {
  const tokens = raw
    .trim()
    .toLowerCase()
    .split(/[\s,，、.。;；-]+/)
    .filter(Boolean)
    // Chinese words are two characters each: a run of them typed without spaces splits into pairs.
    .flatMap((t) => (/^[\u4e00-\u9fff]+$/.test(t) && t.length % 2 === 0 ? (t.match(/../g) ?? []) : [t]));
  if (tokens.length !== WORD_SECRET_WORDS) return undefined;
  const indices = tokens.map((t) => {
    const zh = ZH.indexOf(t);
    return zh >= 0 ? zh : EN.indexOf(t);
  });
  return indices.every((i) => i >= 0) ? ['w', ...indices].join('.') : undefined;
}
