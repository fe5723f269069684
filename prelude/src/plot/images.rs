use super::{bundle, render_svg, OrPlot, PlotError};
use crate::display::Displayable;
use plotters::prelude::*;
use tch::{Kind, Tensor};

/// A grid of small grayscale images with captions (digits, filters, misclassified examples).
///
/// # Shapes
/// `[N, H, W]`, or `[N, H·W]` with `side` set; values are scaled to the images' own range.
///
/// ```
/// use torchbook::prelude::*;
/// let imgs = Tensor::rand([6, 8, 8], (Kind::Float, Device::Cpu));
/// let grid = ImageGrid::new(&imgs, 3).unwrap().captions((0..6).map(|i| format!("#{i}")).collect());
/// assert!(grid.to_svg().unwrap().contains("#5"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ImageGrid {
    images: Vec<Vec<f64>>,
    height: usize,
    width: usize,
    columns: usize,
    captions: Vec<String>,
}

impl ImageGrid {
    /// Images `[N, H, W]` laid out `columns` to a row.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let grid = ImageGrid::new(&Tensor::rand([6, 8, 8], (Kind::Float, Device::Cpu)), 3).unwrap();
    /// assert!(grid.to_svg().is_ok());
    /// assert!(ImageGrid::new(&Tensor::rand([8, 8], (Kind::Float, Device::Cpu)), 3).is_err()); // not [N, H, W]
    /// ```
    pub fn new(images: &Tensor, columns: usize) -> Result<Self, PlotError> {
        let size = images.size();
        if size.len() != 3 {
            return Err(PlotError::Shape {
                title: "ImageGrid".into(),
                message: format!("expected images [N, H, W], got {size:?}"),
            });
        }
        let t = images.detach().to_kind(Kind::Double).to_device(tch::Device::Cpu);
        let (lo, hi) = (t.min().double_value(&[]), t.max().double_value(&[]));
        let t = if hi > lo { (t - lo) / (hi - lo) } else { t.zeros_like() };
        let flat = Vec::<Vec<f64>>::try_from(&t.flatten(1, -1)).unwrap_or_default();
        Ok(ImageGrid {
            images: flat,
            height: size[1] as usize,
            width: size[2] as usize,
            columns: columns.max(1),
            captions: Vec::new(),
        })
    }

    /// Images given as rows of `side × side` pixels (`[N, side²]`).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let digits = torchbook::datasets::digits().unwrap();
    /// let grid = ImageGrid::from_rows(&digits.images.narrow(0, 0, 10), 8, 5).unwrap();
    /// assert!(grid.to_svg().unwrap().starts_with("<svg"));
    /// ```
    pub fn from_rows(images: &Tensor, side: i64, columns: usize) -> Result<Self, PlotError> {
        let n = images.size()[0];
        Self::new(&images.reshape([n, side, side]), columns)
    }

    /// A caption under each image.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let grid = ImageGrid::new(&Tensor::rand([2, 4, 4], (Kind::Float, Device::Cpu)), 2).unwrap()
    ///     .captions(vec!["true 3, predicted 8".into(), "true 1, predicted 7".into()]);
    /// assert!(grid.to_svg().unwrap().contains("predicted 8"));
    /// ```
    pub fn captions(mut self, captions: Vec<String>) -> Self {
        self.captions = captions;
        self
    }

    /// Renders the grid as SVG.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let grid = ImageGrid::new(&Tensor::zeros([1, 2, 2], (Kind::Float, Device::Cpu)), 1).unwrap();
    /// assert!(grid.to_svg().unwrap().starts_with("<svg"));
    /// ```
    pub fn to_svg(&self) -> Result<String, PlotError> {
        if self.images.is_empty() {
            return Err(PlotError::Empty("ImageGrid".into()));
        }
        let px = (64 / self.height.max(self.width)).max(2) as i32;
        let (cell_w, cell_h) = (self.width as i32 * px + 12, self.height as i32 * px + 22);
        let rows = self.images.len().div_ceil(self.columns) as i32;
        let size = ((self.columns as i32 * cell_w) as u32, (rows * cell_h) as u32);
        render_svg("ImageGrid", size, |root| {
            for (k, img) in self.images.iter().enumerate() {
                let (gx, gy) =
                    ((k % self.columns) as i32 * cell_w + 6, (k / self.columns) as i32 * cell_h + 4);
                for (p, &v) in img.iter().enumerate() {
                    let (r, c) = ((p / self.width) as i32, (p % self.width) as i32);
                    let shade = (255.0 * (1.0 - v)) as u8;
                    let (x, y) = (gx + c * px, gy + r * px);
                    let pixel =
                        Rectangle::new([(x, y), (x + px, y + px)], RGBColor(shade, shade, shade).filled());
                    root.draw(&pixel).or_plot("ImageGrid")?;
                }
                if let Some(caption) = self.captions.get(k) {
                    let y = gy + self.height as i32 * px + 3;
                    root.draw(&Text::new(caption.clone(), (gx, y), ("sans-serif", 12)))
                        .or_plot("ImageGrid")?;
                }
            }
            Ok(())
        })
    }
}

impl Displayable for ImageGrid {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        bundle(
            format!("ImageGrid of {} images {}×{}", self.images.len(), self.height, self.width),
            self.to_svg(),
        )
    }
}
